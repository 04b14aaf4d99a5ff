"""Academy: courses, sessions, enrolment, completions and certificates (to come)."""
