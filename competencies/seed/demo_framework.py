"""The demo city's competency framework and job profiles, as data: plain-English descriptors.

Each competency has a behavioural descriptor for every step of the shared scale; each job profile
names its required competencies with minimum levels and weights. Nothing here asks for a degree.
"""

from __future__ import annotations

RESIDENTS = "Serving residents"
REGULATION = "Regulation and compliance"
FIELD = "Field operations and safety"
DATA = "Data and technology"
STEWARDSHIP = "Public stewardship"
LEADING = "Leading people"

CATEGORIES = {
    RESIDENTS: "Dealing with residents and businesses in person, by phone and in writing.",
    REGULATION: "Applying codes, permits and rules fairly and consistently.",
    FIELD: "Working safely outdoors and with equipment, and keeping public spaces in good order.",
    DATA: "Using data, systems and information responsibly to do the work and improve it.",
    STEWARDSHIP: "Spending public money carefully and acting with integrity.",
    LEADING: "Supervising, coaching and coordinating work through others.",
}

# category, code, name, description, then what the behaviour looks like at levels 1 to 5
# (1 Awareness, 2 Working, 3 Practitioner, 4 Advanced, 5 Expert).
COMPETENCIES: list[tuple[str, ...]] = [
    (
        RESIDENTS,
        "RES-COMM",
        "Resident communication",
        "Explains city services, rules and decisions to residents clearly and courteously.",
        "Greets residents politely, listens to the whole request and repeats it back.",
        "Answers routine questions about services accurately, using the scripts and knowledge "
        "base.",
        "Explains decisions and next steps in plain words, checks understanding and gives honest "
        "timeframes.",
        "Handles hard conversations, such as denials and long delays, so residents leave knowing "
        "why and what they can do next.",
        "Writes the scripts and guidance others use, and briefs community boards and residents' "
        "groups.",
    ),
    (
        RESIDENTS,
        "RES-DEESC",
        "De-escalation",
        "Calms tense conversations and keeps residents and staff safe.",
        "Recognises the signs that a conversation is getting heated and knows when to get help.",
        "Stays calm, keeps a steady tone and acknowledges the resident's frustration without "
        "arguing.",
        "Brings most angry callers or visitors back to the problem by naming their concern and "
        "offering a concrete next step.",
        "Handles threats, crises and repeat complainants safely, follows the safety protocol and "
        "writes a clear incident report.",
        "Trains colleagues in de-escalation, debriefs incidents with them and improves the "
        "team's safety protocol.",
    ),
    (
        RESIDENTS,
        "RES-LANG",
        "Plain language writing",
        "Writes letters, notices and emails that residents can understand and act on.",
        "Uses the approved templates and fills them in completely and correctly.",
        "Writes short routine messages in plain words, with the action and deadline up front.",
        "Writes letters that explain a decision, the rule behind it and how to appeal, without "
        "jargon.",
        "Rewrites complex notices, such as violations and denials, into plain language and tests "
        "them with readers.",
        "Sets the agency's plain-language standards and templates and reviews high-visibility "
        "public notices.",
    ),
    (
        RESIDENTS,
        "RES-ACCESS",
        "Language and disability access",
        "Makes sure every resident can use a service, whatever their language or disability.",
        "Knows that interpreters and accessible formats are available and where to find them.",
        "Books an interpreter or the language line without delay and offers large print or other "
        "formats on request.",
        "Notices access needs without being asked, adapts the service and records the need for "
        "the next contact.",
        "Resolves access complaints and finds and removes barriers in a form, process or service "
        "location.",
        "Leads the agency's language access and disability access plans and advises other "
        "agencies on them.",
    ),
    (
        RESIDENTS,
        "RES-CASE",
        "Service request handling",
        "Takes a service request from first contact to closure and keeps the resident informed.",
        "Logs a request with the correct category, address and contact details.",
        "Routes routine requests to the right agency and gives the resident the reference number "
        "and timeframe.",
        "Handles duplicate and multi-agency requests, chases overdue ones and closes them with a "
        "clear resolution note.",
        "Unblocks stuck or escalated cases with other agencies and spots patterns, such as "
        "repeated requests from one block.",
        "Designs routing rules and service targets for request types and leads reviews of cases "
        "that went wrong.",
    ),
    (
        REGULATION,
        "REG-PERMIT",
        "Permit review",
        "Checks permit applications against the rules and decides them fairly and on time.",
        "Knows the main permit types and checks that an application is complete before intake.",
        "Reviews routine applications against the checklist and writes clear objections for "
        "anything missing.",
        "Decides standard applications alone, applies the right zoning and code sections and "
        "meets review deadlines.",
        "Reviews complex or unusual applications, settles objections with applicants' designers "
        "and explains the reasoning in writing.",
        "Interprets new rules for the team, writes review guidance and is the final reviewer on "
        "precedent-setting cases.",
    ),
    (
        REGULATION,
        "REG-INSPECT",
        "Inspection practice",
        "Plans and carries out site inspections that are thorough, safe and defensible.",
        "Shadows an experienced inspector, follows the checklist and learns what each item means.",
        "Carries out routine inspections with the checklist, with photographs and notes for each "
        "finding.",
        "Inspects common building types alone, judges what is a violation and explains findings "
        "on site.",
        "Handles complex, contested or dangerous sites, such as partial collapses, and decides "
        "when to stop work.",
        "Sets inspection procedures and checklists, audits other inspectors' work and gives "
        "expert testimony.",
    ),
    (
        REGULATION,
        "REG-CODE",
        "Code interpretation",
        "Knows the construction and zoning codes and applies them correctly to real situations.",
        "Knows where the codes are published and finds the section that covers a common question.",
        "Applies common code sections correctly to routine work and checks with a colleague when "
        "unsure.",
        "Interprets structural, fire and accessibility sections together and cites them "
        "accurately in decisions.",
        "Resolves conflicting or unclear requirements and records the interpretation in a written "
        "determination.",
        "Drafts code interpretations and amendments and is consulted by other agencies on "
        "difficult questions.",
    ),
    (
        REGULATION,
        "REG-ENFORCE",
        "Enforcement and violations",
        "Issues notices and follows enforcement steps fairly, so that they stand up at a hearing.",
        "Knows the kinds of notices and orders and the steps an enforcement case goes through.",
        "Issues routine violations with the correct code citation, description and cure date.",
        "Chooses the enforcement action that fits the risk, prepares the case file and serves "
        "orders correctly.",
        "Presents cases at administrative hearings and handles repeat offenders and emergency "
        "orders.",
        "Sets enforcement priorities and guidance and reviews cases for consistency across the "
        "agency.",
    ),
    (
        REGULATION,
        "REG-RECORDS",
        "Case records and documentation",
        "Keeps records of the work that are complete, accurate and ready for an audit or hearing.",
        "Enters the basic facts of each job (date, address, what was done) in the right system.",
        "Records each job the same day, with photographs and notes another person could follow.",
        "Keeps full, consistent case files that link findings, evidence and decisions.",
        "Reviews colleagues' records, finds the gaps and shows them how to close them.",
        "Designs the record-keeping standard and forms for the work, in line with retention rules.",
    ),
    (
        FIELD,
        "OPS-SAFETY",
        "Workplace safety",
        "Works safely, uses protective equipment and protects the public around the work site.",
        "Wears the required protective equipment and knows how to report an injury or hazard.",
        "Follows safe procedures for routine tasks, sets up cones and barriers, and stops when "
        "something looks unsafe.",
        "Checks each job for hazards before starting and handles traffic, heat and sharps "
        "correctly.",
        "Leads the crew's safety talks, looks into near misses and corrects unsafe practice on "
        "the spot.",
        "Writes the safety procedures for the work, leads accident investigations and deals with "
        "the regulator.",
    ),
    (
        FIELD,
        "OPS-EQUIP",
        "Equipment operation",
        "Operates mowers, small engines, tools and vehicles safely and looks after them.",
        "Knows the crew's equipment and its safety rules; uses hand tools under supervision.",
        "Operates common equipment such as mowers, blowers and trimmers, and does pre-use checks.",
        "Operates all the crew's equipment, including chainsaws or light trucks where certified, "
        "and spots faults early.",
        "Trains and signs off others on equipment and plans the fleet's maintenance with the "
        "garage.",
        "Chooses equipment for the division, writes operating procedures and trials new machines.",
    ),
    (
        FIELD,
        "OPS-GROUNDS",
        "Grounds and horticulture",
        "Keeps lawns, trees, planting beds and natural areas healthy, safe and attractive.",
        "Does basic grounds tasks such as litter picking, raking and weeding as directed.",
        "Mows, edges, waters and plants correctly for the season and the site's plan.",
        "Plans a site's seasonal care and recognises common pests, diseases and tree hazards.",
        "Manages a district's landscapes, including turf renovation and tree risk checks, and "
        "trains others.",
        "Sets horticulture standards for the parks system and advises on planting and invasive "
        "species.",
    ),
    (
        FIELD,
        "OPS-REPAIR",
        "Facility repair and upkeep",
        "Keeps playgrounds, benches, fences and comfort stations safe, clean and working.",
        "Reports broken or unsafe fixtures with location and photographs and closes off hazards.",
        "Makes routine repairs, such as bench slats and fence sections, and restocks comfort "
        "stations.",
        "Inspects playgrounds against the safety checklist, fixes what the crew can and writes up "
        "the rest.",
        "Plans larger repairs with the trades and ranks the district's repair backlog by risk.",
        "Sets the maintenance schedule for park assets and advises capital projects on durable "
        "design.",
    ),
    (
        FIELD,
        "OPS-EMERG",
        "Emergency and storm response",
        "Keeps residents safe and services running during storms, heat emergencies and incidents.",
        "Knows their emergency assignment and how to report for duty when an emergency is called.",
        "Carries out assigned tasks, such as clearing fallen branches or staffing a cooling "
        "center.",
        "Works a site alone on an emergency crew, judges hazards and reports conditions "
        "accurately to the command post.",
        "Leads a crew or site in an emergency, sets priorities with the command post and keeps "
        "the team safe.",
        "Plans the agency's emergency assignments and drills and serves in the emergency "
        "operations center.",
    ),
    (
        DATA,
        "DATA-LIT",
        "Data literacy",
        "Reads, questions and uses data to understand how a service is doing.",
        "Reads a simple table or chart and can say what it shows.",
        "Keeps simple spreadsheets accurately, sorts and filters data and spots obvious errors.",
        "Builds summaries and charts from operational data, checks definitions and draws sound "
        "conclusions.",
        "Combines data from several systems, explains the limits of the numbers and presents "
        "findings to leaders.",
        "Sets data definitions and quality standards for the agency and teaches others to read "
        "data critically.",
    ),
    (
        DATA,
        "DATA-ANALYSIS",
        "Program analysis and evaluation",
        "Measures whether programs reach their goals and recommends changes.",
        "Knows the program's goals and the measures used to track them.",
        "Collects and updates performance measures on schedule and flags unusual changes.",
        "Analyses results against goals, compares periods or sites fairly and writes clear "
        "recommendations.",
        "Designs evaluations such as pilots and before-and-after comparisons and presents them to "
        "agency leaders.",
        "Leads the agency's evaluation agenda and reviews the methods of others' analyses.",
    ),
    (
        DATA,
        "DATA-SYSTEMS",
        "Case and records systems",
        "Uses the city's case, permit and work order systems correctly and efficiently.",
        "Signs in, finds a record by number or address and reads its history.",
        "Creates and updates records correctly, with the right codes and attached documents.",
        "Uses the full workflow, including transfers, holds and reports, and fixes entry errors "
        "they find.",
        "Trains others on the system, writes quick guides and reports defects with clear steps to "
        "reproduce.",
        "Represents users in system changes, tests new releases and designs workflow improvements.",
    ),
    (
        DATA,
        "DATA-PRIV",
        "Privacy and records retention",
        "Protects personal information and keeps records for as long as the law requires.",
        "Knows which information is personal and never shares passwords or leaves records open.",
        "Shares personal information only with people who need it for the work, by secure means.",
        "Handles records requests and redactions correctly and follows the retention schedule.",
        "Advises the team on privacy questions, reports and contains incidents and reviews who "
        "can see sensitive records.",
        "Writes the agency's privacy and retention procedures and leads its response to data "
        "incidents.",
    ),
    (
        DATA,
        "DATA-MAPS",
        "Maps and location data",
        "Uses addresses, maps and location data to plan work and understand places.",
        "Finds an address, tax lot or park on the city's online map.",
        "Checks and corrects addresses in records and uses maps to plan a day's route.",
        "Makes simple maps of requests, inspections or assets and uses them to spot clusters.",
        "Combines location data with other data to target work, such as ranking inspections by "
        "risk and area.",
        "Sets the agency's standards for location data and advises on mapping tools and shared "
        "datasets.",
    ),
    (
        STEWARDSHIP,
        "STW-PROCURE",
        "Procurement rules",
        "Buys goods and services following the city's procurement rules.",
        "Knows that purchases go through procurement and whom to ask before buying anything.",
        "Prepares routine purchase requests with quotes and the right budget codes, within "
        "small-purchase limits.",
        "Runs small procurements end to end, including competitive quotes and vendor eligibility "
        "checks.",
        "Writes scopes of work and evaluation criteria for larger contracts and manages vendor "
        "performance.",
        "Advises the agency on complex and emergency procurements and on compliance with "
        "procurement law.",
    ),
    (
        STEWARDSHIP,
        "STW-ETHICS",
        "Public service ethics",
        "Acts with integrity and follows the conflict-of-interest and gift rules.",
        "Knows the conflict-of-interest rules and that gifts from city vendors are not allowed.",
        "Declines gifts and favours, declares possible conflicts and asks before outside work.",
        "Recognises less obvious conflicts, such as a relative or former employer on a case, and "
        "steps aside properly.",
        "Advises colleagues on ethics questions and reports misconduct through the proper "
        "channels.",
        "Leads the agency's ethics training and reviews and works with the conflicts of interest "
        "board.",
    ),
    (
        STEWARDSHIP,
        "STW-BUDGET",
        "Budget and cost awareness",
        "Understands what the work costs and uses the budget responsibly.",
        "Knows that the unit has a budget and avoids wasting materials, fuel and overtime.",
        "Tracks their own use of supplies and overtime and reports costs accurately.",
        "Prepares cost estimates and tracks spending against the unit's budget, flagging "
        "overruns early.",
        "Builds the unit's budget requests with justifications and finds savings without cutting "
        "service.",
        "Leads budget planning for a division and explains spending to the budget office and "
        "council staff.",
    ),
    (
        LEADING,
        "LEAD-SUPERV",
        "Supervision",
        "Assigns work, sets expectations and holds people accountable fairly.",
        "Knows the basics of the contract and the time and leave rules that apply to the team.",
        "Assigns daily work clearly, checks it is done and approves time and leave correctly.",
        "Sets clear expectations, gives regular feedback, documents performance and follows the "
        "contract.",
        "Supervises supervisors, handles grievances and discipline consistently and works "
        "constructively with the union.",
        "Shapes how the agency supervises: trains new supervisors and advises on labour relations.",
    ),
    (
        LEADING,
        "LEAD-COACH",
        "Coaching and on-the-job training",
        "Helps colleagues learn the job and grow their skills.",
        "Shares tips and answers colleagues' questions when asked.",
        "Shows a new colleague how to do routine tasks step by step and checks their work.",
        "Plans on-the-job training for new staff, observes them and gives specific feedback.",
        "Validates others' competency levels fairly against the descriptors and builds "
        "development plans.",
        "Designs the team's training programme and coaches the coaches.",
    ),
    (
        LEADING,
        "LEAD-TEAM",
        "Teamwork and coordination",
        "Works well with colleagues, other units and other agencies to get things done.",
        "Does their share of the team's work and tells colleagues about problems that affect them.",
        "Covers for colleagues, shares information readily and follows up on handoffs.",
        "Coordinates shared cases with other units or agencies and settles everyday friction "
        "directly.",
        "Leads joint work with other agencies or community groups and settles who does what.",
        "Builds lasting partnerships across agencies and sets up shared procedures others follow.",
    ),
    (
        LEADING,
        "LEAD-PLAN",
        "Work planning and scheduling",
        "Plans and schedules work so the most important jobs get done on time.",
        "Knows the day's assignments and tells the supervisor when a job cannot be finished.",
        "Plans their own day to finish assigned work, grouping jobs by location where possible.",
        "Schedules a crew's or team's week, balancing priorities, staffing and equipment.",
        "Plans a unit's seasonal or annual work, adjusts for emergencies and backlogs and reports "
        "progress.",
        "Sets the division's planning methods and service targets and moves resources on the "
        "results.",
    ),
]

# code, title, description, [(competency code, minimum level, weight)]; weights add up to 100.
JOB_PROFILES: list[tuple[str, str, str, list[tuple[str, int, int]]]] = [
    (
        "CSR-311",
        "311 Customer Service Representative",
        "Answers residents' calls, chats and emails about city services, logs service requests "
        "and routes them to the right agency.",
        [
            ("RES-COMM", 3, 30),
            ("RES-DEESC", 3, 20),
            ("RES-CASE", 3, 20),
            ("DATA-SYSTEMS", 2, 15),
            ("RES-ACCESS", 2, 10),
            ("DATA-PRIV", 2, 5),
        ],
    ),
    (
        "BLDG-INSP",
        "Building Inspector",
        "Inspects construction sites and existing buildings for code compliance and safety, "
        "and issues violations and stop-work orders.",
        [
            ("REG-INSPECT", 3, 30),
            ("REG-CODE", 3, 25),
            ("REG-ENFORCE", 2, 15),
            ("REG-RECORDS", 3, 15),
            ("OPS-SAFETY", 3, 10),
            ("RES-DEESC", 2, 5),
        ],
    ),
    (
        "PARKS-MW",
        "Parks Maintenance Worker",
        "Keeps parks, playgrounds and green spaces clean, safe and in good repair, and helps in "
        "storm clean-up.",
        [
            ("OPS-SAFETY", 3, 30),
            ("OPS-EQUIP", 2, 25),
            ("OPS-GROUNDS", 2, 20),
            ("OPS-REPAIR", 2, 15),
            ("RES-COMM", 1, 10),
        ],
    ),
    (
        "PERMIT-EX",
        "Permit Examiner",
        "Reviews permit applications and plans against the building and zoning codes and "
        "explains decisions to applicants.",
        [
            ("REG-PERMIT", 3, 35),
            ("REG-CODE", 3, 25),
            ("RES-LANG", 2, 15),
            ("REG-RECORDS", 2, 15),
            ("RES-COMM", 2, 10),
        ],
    ),
    (
        "PROG-ANL",
        "Program Analyst",
        "Tracks and evaluates how programs perform, prepares reports and helps with budgets and "
        "purchasing.",
        [
            ("DATA-LIT", 3, 30),
            ("DATA-ANALYSIS", 3, 25),
            ("STW-PROCURE", 2, 15),
            ("STW-BUDGET", 2, 15),
            ("RES-LANG", 3, 15),
        ],
    ),
]
