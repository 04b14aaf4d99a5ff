"""Word lists the synthetic city builds its names from: agencies, divisions, units, people."""

from __future__ import annotations

# fmt: off
AGENCY_SUBJECTS = [
    "Sanitation", "Parks and Open Space", "Water and Sewer Works", "Streets and Bridges",
    "Housing Preservation", "Public Health", "Child and Family Services", "Aging Services",
    "Buildings and Construction", "Transit Operations", "Libraries and Learning",
    "Fire Prevention", "Emergency Response", "Consumer Protection", "Environmental Quality",
    "Records and Archives", "Taxation and Revenue", "Licensing and Permits", "Cultural Affairs",
    "Youth Programs", "Small Business Support", "Veterans Services", "Shelter Services",
    "Correctional Services", "Probation", "Design and Construction", "Information Technology",
    "Fleet Services", "Facilities Management", "Procurement", "Workforce Development",
    "Community Engagement", "Planning and Zoning", "Ports and Waterfronts", "Energy Management",
    "Animal Care", "Food Access", "Elections Administration", "Historic Places",
    "Tenant Protection", "Newcomer Affairs", "Disability Services", "Traffic Safety",
    "Stormwater Management", "Urban Forestry", "Recreation Centers", "School Facilities",
    "Public Markets", "Neighborhood Development", "Waste Reduction", "Air Quality",
    "Noise Control", "Street Lighting", "Snow and Ice Response", "Telecommunications",
    "Payroll Administration", "Pension Services",
]
AGENCY_PATTERNS = [
    "Department of {}", "Office of {}", "{} Administration", "Bureau of {}", "{} Agency",
    "Commission for {}",
]
DIVISION_FUNCTIONS = [
    "Field Operations", "Inspections", "Planning and Research", "Finance and Budget",
    "Technology Services", "Customer Service", "Fleet and Equipment", "Engineering",
    "Community Affairs", "Legal Affairs", "Human Resources", "Facilities", "Enforcement",
    "Contracts and Purchasing", "Training and Development", "Data and Analytics",
    "Emergency Management", "Permits and Licensing", "Maintenance", "Capital Projects",
    "Program Services", "Quality Assurance", "Communications", "Health and Safety",
    "Intake and Eligibility", "Case Management", "Outreach", "Dispatch",
    "Warehousing and Supply", "Compliance",
]
REGIONS = ["North", "South", "East", "West", "Central", "Harbor", "Upland", "Riverside"]
PLACES = [
    "Ashford", "Bayview", "Cedar Hill", "Dunmore", "Elmwood", "Fairhaven", "Glen Park",
    "Harlow", "Ironbridge", "Juniper", "Kingsgate", "Linden", "Marlowe", "Northgate", "Oakridge",
    "Pinecrest", "Quarry Point", "Redfield", "Stonebrook", "Tidewater", "Upton", "Valemont",
    "Willow Bend", "Yardley", "Ambler", "Birchwood", "Clearwater", "Dover Flats", "Eastmoor",
    "Foxhollow", "Granite Row", "Hollis", "Kestrel", "Lakeside", "Millbrook", "Newfield",
    "Orchard", "Prospect Hill", "Rosedale", "Sandpoint", "Thornbury", "Westmere",
]
UNIT_KINDS = [
    "Yard", "Depot", "Field Office", "Station", "Service Center", "District Office", "Team",
    "Section", "Crew Base", "Garage", "Desk", "Hub",
]
UNION_TRADES = [
    "Clerical and Administrative", "Maintenance and Trades", "Motor Equipment Operators",
    "Inspectors and Examiners", "Health Services", "Technical and Engineering",
    "Social Services", "Custodial and Building Service", "Civilian Public Safety", "Laborers",
    "Library Workers", "Recreation Staff", "Information Technology", "Professional Analysts",
    "Supervisory Staff", "Dispatchers and Communications", "Environmental Workers",
    "School Support Staff", "Skilled Craft Workers", "Accounting and Finance",
]

# Job families: code, the worker's title, the area the manager runs, what the work is.
JOB_FAMILIES = [
    ("MNT", "Maintenance Worker", "Maintenance",
     "keeps buildings, grounds and equipment in working order"),
    ("INS", "Inspector", "Inspections", "checks sites and premises against codes and permits"),
    ("CLK", "Administrative Clerk", "Administration",
     "keeps records, answers enquiries and processes forms"),
    ("CSR", "Customer Service Representative", "Customer Service",
     "helps residents by phone, online and at the counter"),
    ("ENG", "Civil Engineer", "Engineering", "designs, reviews and oversees public works"),
    ("ITS", "Systems Analyst", "Information Technology",
     "builds and supports the systems staff and residents rely on"),
    ("NUR", "Public Health Nurse", "Health Services",
     "gives clinical care and prevention in the community"),
    ("CWK", "Caseworker", "Social Services", "assesses needs and connects families to services"),
    ("MEO", "Motor Equipment Operator", "Fleet Operations",
     "drives and operates trucks, sweepers and heavy equipment"),
    ("SAN", "Sanitation Worker", "Collection Operations",
     "collects refuse and recycling and keeps streets clean"),
    ("PKS", "Parks Worker", "Parks Operations", "cares for parks, playgrounds and street trees"),
    ("ACC", "Accountant", "Finance", "prepares budgets, payments and financial reports"),
    ("PLN", "City Planner", "Planning", "studies land use and prepares neighborhood plans"),
    ("TRD", "Skilled Tradesperson", "Trades",
     "carries out electrical, plumbing and carpentry work"),
    ("DSP", "Dispatcher", "Dispatch", "takes calls and sends crews where they are needed"),
]

FIRST_NAMES = [
    "James", "Maria", "Michael", "Jennifer", "David", "Linda", "Robert", "Patricia", "John",
    "Elizabeth", "Jose", "Ana", "Luis", "Carmen", "Wei", "Mei", "Mohammed", "Fatima", "Kwame",
    "Ama", "Priya", "Rahul", "Anil", "Deepa", "Olga", "Ivan", "Tomasz", "Katarzyna", "Sean",
    "Siobhan", "Giuseppe", "Francesca", "Yuki", "Hiroshi", "Min-jun", "Seo-yeon", "Chinedu",
    "Ngozi", "Mamadou", "Aminata", "Rafael", "Sofia", "Diego", "Valentina", "Andre", "Imani",
    "Darnell", "Latoya", "Jamal", "Keisha", "Tyrone", "Tanisha", "Marcus", "Aisha", "Omar",
    "Layla", "Samuel", "Grace", "Daniel", "Sarah", "Joseph", "Rebecca", "Anthony", "Nicole",
    "Christopher", "Jessica", "Matthew", "Ashley", "Kevin", "Stephanie", "Brian", "Angela",
    "Jason", "Melissa", "Eric", "Michelle", "Steven", "Kimberly", "Paul", "Lisa", "Mark",
    "Karen", "Thomas", "Nancy", "Richard", "Donna", "Charles", "Sandra", "Edwin", "Yolanda",
    "Hector", "Rosa", "Miguel", "Gabriela", "Carlos", "Lucia", "Juan", "Isabel", "Pedro",
    "Teresa", "Jorge", "Elena", "Ramon", "Adriana", "Victor", "Monica", "Raj", "Sunita", "Arjun",
    "Lakshmi", "Chen", "Ling", "Jun", "Hui", "Hyun", "Ji-woo", "Tuan", "Linh", "Kofi", "Abena",
    "Tariq", "Nadia", "Yusuf", "Zainab", "Dmitri", "Natasha", "Pavel", "Irina", "Liam",
    "Aoife", "Connor", "Bridget", "Marco", "Giulia", "Stavros", "Eleni", "Moshe", "Rivka",
    "Avi", "Miriam", "Jean", "Marie", "Pierre", "Nadege", "Emmanuel", "Esther", "Kenji",
    "Akiko", "Hamza", "Amina", "Tenzin", "Pema", "Nia", "Malik",
]
# Common names first: they are drawn more often, so a city has many Smiths and Garcias.
LAST_NAMES = [
    "Smith", "Rodriguez", "Garcia", "Johnson", "Williams", "Martinez", "Brown", "Lopez", "Lee",
    "Hernandez", "Jones", "Gonzalez", "Perez", "Davis", "Rivera", "Chen", "Miller", "Wong",
    "Jackson", "Torres", "Thomas", "Wilson", "Taylor", "Cruz", "Ramirez", "Kim", "Moore",
    "Harris", "Robinson", "Sanchez", "Anderson", "Thompson", "White", "Ortiz", "Martin", "Diaz",
    "Cohen", "Clark", "Lewis", "Walker", "Young", "King", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner",
    "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Reyes", "Morales", "Gomez",
    "Vasquez", "Castillo", "Jimenez", "Ruiz", "Alvarez", "Mendoza", "Santos", "Flores", "Ramos",
    "Nguyen", "Tran", "Pham", "Le", "Huang", "Liu", "Zhang", "Wang", "Li", "Lin", "Wu", "Zhou",
    "Park", "Choi", "Kang", "Patel", "Shah", "Singh", "Kaur", "Khan", "Ali", "Ahmed", "Hussain",
    "Chowdhury", "Rahman", "Islam", "Das", "Gupta", "Sharma", "Mehta", "Joseph", "Pierre",
    "Jean-Baptiste", "Louis", "Charles", "Francois", "Baptiste", "Okafor", "Adeyemi", "Mensah",
    "Owusu", "Diallo", "Traore", "Toure", "Kamara", "Bangura", "Cooper", "Reed", "Bailey",
    "Bell", "Murray", "Kelly", "Sullivan", "Walsh", "Ryan", "Byrne", "O'Brien", "O'Connor",
    "McCarthy", "Fitzgerald", "Russo", "Esposito", "Romano", "Ricci", "Greco", "Marino",
    "Bruno", "Gallo", "Kowalski", "Nowak", "Wisniewski", "Lewandowski", "Ivanov", "Petrov",
    "Volkov", "Popescu", "Horvat", "Novak", "Goldberg", "Friedman", "Katz", "Levy", "Shapiro",
    "Rosen", "Weiss", "Schwartz", "Klein", "Fischer", "Weber", "Schmidt", "Becker", "Hoffman",
    "Yilmaz", "Demir", "Kaya", "Haddad", "Khoury", "Saleh", "Nasser", "Mansour", "Tanaka",
    "Suzuki", "Sato", "Watanabe", "Yamamoto", "Dorji", "Sherpa", "Gordon", "Washington",
    "Brooks", "Price", "Bennett", "Wood", "Barnes", "Ross", "Henderson", "Coleman", "Jenkins",
    "Perry", "Powell", "Long", "Patterson", "Hughes", "Butler", "Simmons", "Foster", "Bryant",
]
# fmt: on
