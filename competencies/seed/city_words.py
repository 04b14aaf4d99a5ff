"""Words the synthetic city's competency framework is built from: categories, skills, levels."""

from __future__ import annotations

# Category code, name, what it covers, five subjects and three facets: each subject and facet
# together name one competency ("Traffic Zone Control").
CATEGORIES = [
    ("SAF", "Safety and Risk", "keeping crews, sites and the public out of harm's way",
     ["Worksite Hazard", "Traffic Zone", "Confined Space", "Chemical Handling", "Incident"],
     ["Awareness", "Control", "Reporting"]),
    ("OPS", "Field Operations", "doing the practical work of city services well",
     ["Heavy Equipment", "Grounds Care", "Building Systems", "Route", "Materials"],
     ["Operation", "Upkeep", "Planning"]),
    ("SVC", "Resident Service", "serving residents with courtesy, accuracy and care",
     ["Counter", "Telephone", "Complaint", "Language Access", "Appointment"],
     ["Handling", "Follow-up", "Quality"]),
    ("REG", "Regulation and Inspection", "applying codes and rules fairly and consistently",
     ["Building Code", "Permit", "Site", "Evidence", "Violation"],
     ["Interpretation", "Review", "Documentation"]),
    ("TEC", "Technical Practice", "applying engineering and technical knowledge to city work",
     ["Drawing", "Survey", "Systems", "Network", "Structural"],
     ["Analysis", "Design", "Testing"]),
    ("FIN", "Finance and Records", "keeping public money and records accurate and accountable",
     ["Budget", "Payment", "Purchasing", "Records", "Payroll"],
     ["Preparation", "Control", "Reconciliation"]),
    ("CAR", "Care and Support", "helping residents in need with respect and good judgement",
     ["Needs", "Crisis", "Family", "Health", "Referral"],
     ["Assessment", "Response", "Planning"]),
    ("COM", "Communication", "sharing information clearly with colleagues and the public",
     ["Report", "Briefing", "Public Notice", "Handover", "Correspondence"],
     ["Writing", "Delivery", "Clarity"]),
    ("LEA", "Leadership", "guiding people and work towards good public service",
     ["Crew", "Team", "Performance", "Change", "Resource"],
     ["Direction", "Development", "Planning"]),
    ("DIG", "Digital and Data", "using the city's systems and data with care",
     ["Spreadsheet", "Case System", "Mobile Device", "Data Entry", "Mapping"],
     ["Use", "Accuracy", "Troubleshooting"]),
]  # fmt: skip

# What each step of the shared five-step scale looks like in behaviour.
LEVEL_TEMPLATES = [
    "Knows what {skill} involves and why it matters; follows set instructions with close guidance.",
    "Carries out routine {skill} tasks correctly with occasional help, and asks when unsure.",
    "Handles {skill} without help in everyday situations, including the usual problems, to the "
    "expected standard in {context}.",
    "Handles unusual or difficult {skill} situations, checks the work of others and coaches "
    "colleagues.",
    "Sets the standard for {skill} across the agency, improves the methods and is consulted by "
    "other teams.",
]

# Which categories a job family's requirements come from, the family's own first.
FAMILY_CATEGORIES = {
    "MNT": ["OPS", "SAF"],
    "INS": ["REG", "SAF"],
    "CLK": ["FIN", "DIG"],
    "CSR": ["SVC", "DIG"],
    "ENG": ["TEC", "REG"],
    "ITS": ["DIG", "TEC"],
    "NUR": ["CAR", "SAF"],
    "CWK": ["CAR", "SVC"],
    "MEO": ["OPS", "SAF"],
    "SAN": ["OPS", "SAF"],
    "PKS": ["OPS", "SAF"],
    "ACC": ["FIN", "DIG"],
    "PLN": ["TEC", "COM"],
    "TRD": ["OPS", "TEC"],
    "DSP": ["SVC", "COM"],
}

NOTES = {
    "hiring_assessment": "Shown in the assessment for this post.",
    "course_completion": "Completed the course and its practical test.",
    "manager_validation": "Observed on the job by the supervisor.",
    "imported": "Carried over from the previous training records.",
}
