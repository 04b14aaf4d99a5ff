"""People: departments, bargaining units, employees, union reps' units, roster import."""
