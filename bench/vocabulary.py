"""A small vocabulary for generated news corpora (bench/corpus.py): countries, people, bodies,
programmes, measures and sentence templates. Invented or generic on purpose; nothing here is
downloaded, and nothing here is a claim about the real world."""

from __future__ import annotations

# name, adjective, capital, seat of government (what "the Kremlin" stands for in the seeds)
COUNTRIES = [
    ("India", "Indian", "New Delhi", "South Block"),
    ("Russia", "Russian", "Moscow", "the Kremlin"),
    ("China", "Chinese", "Beijing", "Zhongnanhai"),
    ("Brazil", "Brazilian", "Brasilia", "the Planalto"),
    ("Indonesia", "Indonesian", "Jakarta", "the Merdeka Palace"),
    ("Turkey", "Turkish", "Ankara", "the presidential complex"),
    ("Egypt", "Egyptian", "Cairo", "the Ittihadiya Palace"),
    ("Nigeria", "Nigerian", "Abuja", "Aso Rock"),
    ("Kenya", "Kenyan", "Nairobi", "State House"),
    ("Vietnam", "Vietnamese", "Hanoi", "the Presidential Palace"),
    ("Mexico", "Mexican", "Mexico City", "the National Palace"),
    ("Argentina", "Argentine", "Buenos Aires", "the Casa Rosada"),
    ("France", "French", "Paris", "the Elysee"),
    ("Germany", "German", "Berlin", "the Chancellery"),
    ("Japan", "Japanese", "Tokyo", "the Kantei"),
    ("South Korea", "South Korean", "Seoul", "the Yongsan office"),
    ("Saudi Arabia", "Saudi", "Riyadh", "the royal court"),
    ("Iran", "Iranian", "Tehran", "the presidential office"),
    ("Pakistan", "Pakistani", "Islamabad", "the Prime Minister's Office"),
    ("Malaysia", "Malaysian", "Kuala Lumpur", "Putrajaya"),
    ("Thailand", "Thai", "Bangkok", "Government House"),
    ("Poland", "Polish", "Warsaw", "the Belweder"),
    ("Italy", "Italian", "Rome", "Palazzo Chigi"),
    ("Canada", "Canadian", "Ottawa", "Parliament Hill"),
    ("Australia", "Australian", "Canberra", "Parliament House"),
    ("South Africa", "South African", "Pretoria", "the Union Buildings"),
    ("Chile", "Chilean", "Santiago", "La Moneda"),
    ("Morocco", "Moroccan", "Rabat", "the royal palace"),
]

FIRST_NAMES = """Aarav Aditi Ahmed Aiko Alejandro Amara Anders Ana Andrei Anil Asha Bao Beatriz
Carlos Chen Chiara Dmitri Dalia Elena Emeka Farid Fatima Felipe Grace Hana Hiroshi Ibrahim
Ingrid Isabel Jae-won Javier Jomo Julia Kamal Karim Katarzyna Kenji Lars Layla Leila Lucas
Mahmoud Maria Marek Meera Mehmet Min-jun Nadia Naveen Nkechi Olga Omar Pablo Priya Rafael
Rania Ravi Rosa Sanjay Sara Sergei Shira Sofia Suleiman Tanvir Thabo Tomas Umar Valentina
Vikram Wei Yasmin Yuki Zanele Zoltan""".split()

SURNAMES = """Abiodun Adeyemi Aksoy Alvarez Anand Arslan Bakshi Banerjee Barros Chaudhry Chen
Cruz Dasgupta Demir Dlamini Dubois Endo Farouk Ferreira Fischer Galli Gomez Haddad Hassan
Hoffmann Iyer Jaramillo Kamau Kapoor Kato Khalil Kim Kowalski Kumar Lebedev Lindqvist Malik
Mansour Martins Mendes Menon Morozov Mwangi Nakamura Nair Novak Obi Okafor Orlov Ozturk Park
Pereira Petrov Pillai Qureshi Rahman Reddy Rossi Saito Santos Sato Schmidt Sharma Silva
Sokolov Suzuki Tanaka Tran Usman Varga Vasquez Volkov Wang Wanjiru Yadav Yilmaz Zhou
Zubiri""".split()

HEAD_ROLES = ["President", "Prime Minister", "Chancellor"]
MINISTER_ROLES = [
    "Foreign Minister",
    "Defence Minister",
    "Finance Minister",
    "Trade Minister",
    "Energy Minister",
    "Deputy Prime Minister",
    "Industry Minister",
]
SPOKES_ROLES = ["spokesperson", "spokesman", "spokeswoman"]

AGENCIES = [
    "the national space agency",
    "the state nuclear corporation",
    "the defence export agency",
    "the national oil company",
    "the state shipbuilding corporation",
    "the development bank",
]

ORGANISATIONS = [
    "the World Bank",
    "the International Monetary Fund",
    "the United Nations",
    "the World Health Organization",
    "the Asian Development Bank",
    "the International Energy Agency",
    "the World Trade Organization",
    "the African Union",
    "the national statistics office",
    "the central bank",
    "the Ministry of Commerce",
    "the Chamber of Industry",
]

COMPANIES = """Helios Power|Orbital Dynamics|Arcadia Steel|Northwind Energy|Meridian Shipping|
Cobalt Motors|Sagar Defence Systems|Vostok Aerospace|Lumen Semiconductors|Atlas Fertilisers|
Tessera Pharma|Kestrel Aviation|Granite Cement|Harbour Logistics|Zenith Telecom|Polaris Rail|
Indus Textiles|Baltic Grain|Sierra Mining|Aurora Biotech""".replace("\n", "").split("|")

OUTLETS = [
    "India News Bull",
    "Izvestia",
    "the Daily Meridian",
    "Global Wire",
    "the Evening Courier",
    "Asia Business Report",
    "the Capital Gazette",
    "World Desk",
    "ANI",
    "Metro Times",
]

PLATFORMS = [
    "the S-400 air defence system",
    "the Su-57 fighter",
    "the BrahMos missile",
    "the K-9 howitzer",
    "the Orion-3 satellite",
    "the Falcon-7 drone",
    "the Kestrel transport aircraft",
    "the Trident patrol vessel",
    "the VVER-1200 reactor",
    "the Meteor-2 launch vehicle",
    "the Saber tank",
    "the Hawkeye radar",
]

PLANTS = [
    "Kudankulam",
    "Rooppur",
    "Akkuyu",
    "El Dabaa",
    "Hanhikivi",
    "Ostrovets",
    "Paks",
    "Tianwan",
]

CITIES = """Mumbai|Chennai|Kazan|St Petersburg|Shanghai|Sao Paulo|Surabaya|Istanbul|Alexandria|
Lagos|Mombasa|Ho Chi Minh City|Monterrey|Cordoba|Lyon|Hamburg|Osaka|Busan|Jeddah|Isfahan|
Karachi|Penang|Chiang Mai|Krakow|Milan|Vancouver|Perth|Durban|Valparaiso|Casablanca|Kolkata|
Novosibirsk|Guangzhou|Recife|Izmir|Kano|Da Nang|Gdansk""".replace("\n", "").split("|")

REGIONS = [
    "the northern provinces",
    "the coastal districts",
    "the river delta",
    "the eastern highlands",
    "the southern plains",
    "the border region",
]

# topic -> nouns a story about it talks about
TOPICS = {
    "defence": [
        "air defence systems",
        "fighter jets",
        "naval patrol vessels",
        "artillery shells",
        "anti-drone systems",
        "jet engine technology",
    ],
    "energy": [
        "small modular reactors",
        "liquefied natural gas",
        "solar parks",
        "oil supplies",
        "nuclear fuel",
        "power grids",
    ],
    "space": [
        "crewed spaceflight",
        "rocket engines",
        "orbital stations",
        "satellite navigation",
        "astronaut training",
        "docking systems",
    ],
    "trade": [
        "fertiliser imports",
        "pharmaceutical exports",
        "payment systems",
        "shipping corridors",
        "tariff cuts",
        "rare earth supplies",
    ],
    "technology": [
        "artificial intelligence",
        "semiconductor plants",
        "quantum research",
        "cybersecurity",
        "data centres",
        "robotics",
    ],
    "health": [
        "vaccine production",
        "hospital equipment",
        "generic medicines",
        "disease surveillance",
    ],
    "agriculture": ["wheat exports", "irrigation projects", "fishing rights", "food storage"],
}

# A measure the same event reports in several documents; `kind` says how a value is written:
# pct (%, per cent), usd_bn (a sum of money in billions), count (a plain number of a unit).
MEASURES = [
    ("bilateral trade between {A} and {B}", "usd_bn", (8, 160)),
    ("{A}'s share of {B}'s arms imports", "pct", (12, 70)),
    ("{B}'s share of {A}'s oil exports", "pct", (5, 45)),
    ("inflation in {B}", "pct", (2, 14)),
    ("the value of the {noun} agreement", "usd_bn", (1, 40)),
    ("{A}'s investment in {B}", "usd_bn", (2, 90)),
    ("the capacity of the planned {plant} plant", "count:megawatts", (600, 4800)),
    ("the number of {adjB} students in {A}", "count:students", (4000, 60000)),
    ("{B}'s defence budget", "usd_bn", (5, 120)),
    ("unemployment in {A}", "pct", (3, 15)),
]

ORDINALS = [
    f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
    for n in range(1, 40)
]

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Statements a speaker makes; an event fixes one wording, and every document that covers the
# event quotes it (with its own attribution). Slots: {B} {adjB} {n1} {n2} {city} {topic}.
STATEMENTS = [
    "We aim to take our partnership with {B} to a qualitatively new level, with joint projects "
    "in {n1} and {n2}",
    "Our cooperation in {topic} is working pretty well and hopefully it will continue",
    "There will be an offer on {n1}; we have real experience in producing them",
    "No decision has been taken yet on {n1}, but the talks in {city} were constructive",
    "The agreements on {n1} are ready and will be signed during the visit",
    "{B} is a natural partner for us in {topic}, and we are ready to share our experience",
    "We are not selling anything; we are planning mutually beneficial cooperation in {n1}",
    "We have established a substantive dialogue on economic issues, including {n2}",
    "Highly on the agenda is {n1}, and this could be discussed at the summit",
    "The deliveries of {n2} remain on schedule despite the sanctions",
    "Our companies want to invest more in {adjB} {n1} and we will support them",
    "We will discuss these topics in detail with our {adjB} friends, including {n2}",
    "It is not only buying and selling, it is an exchange of high technologies in {n1}",
    "The situation in the region is difficult, but our dialogue with {B} is stable",
    "We expect the first results of the {topic} programme within two years",
    "This visit opens a new chapter in relations between our countries",
    "We will never accept conditions that harm our farmers and our industry",
    "The price of {n2} must be fair for both sides",
]

# Attributions: how one document reports a statement. {q} is the statement, {full} the
# speaker's full name, {sur} the surname, {title} the role, {adj} the country adjective.
ATTRIBUTIONS = [
    '"{q}," {full} said.',
    '"{q}," {sur} said on {weekday}.',
    '{title} {full} said: "{q}."',
    '"{q}," {sur} told reporters in {city}.',
    "“{q},” {sur} said.",
    '"{q}," the {adj} {title_lower} said.',
    '{sur} told {outlet}: "{q}."',
    '"{q}," {sur} stated.',
    '"{q}," he said.',  # only after a sentence that names the speaker
]

# What an event says happened: fixed wording per event, repeated by the documents covering it.
EVENT_FACTS = [
    "{titleA} {leaderA} will visit {capB} from {dates} for the {ordinal} {A}-{B} Annual Summit "
    "at the invitation of {titleB} {leaderB}.",
    "The two sides are expected to sign {k} agreements on {n1}, {n2} and {n3} during the visit.",
    "{minister_title} {minister} confirmed that the delivery of {platform} remains on schedule.",
    "{company} and {company2} signed a memorandum on {n1} worth ${money} billion in {capA} on "
    "{weekday}.",
    "{titleA} {leaderA} and {titleB} {leaderB} held talks in {capB} on {datefull} on {n1} and "
    "{n2}.",
    "{A} and {B} agreed to raise bilateral trade to ${target} billion by {year_target}.",
    "{spokes_adj} {spokes_title} {spokes} said that talks on {platform} could be held during "
    "the visit.",
    "The {agency} of {A} will help {B} build {n1} under a deal announced on {datefull}.",
]

# Variations a document may put around an event fact.
FACT_LEADS = ["", "", "", "Officials said ", "According to {outlet}, ", "Separately, "]

# Figure sentences: {measure} {value} {year} {org} {sur}
FIGURE_SENTENCES = [
    "{Measure} reached {value} in {year}, according to {org}.",
    "{Measure} stood at {value} last year, {sur} said.",
    "According to {org}, {measure} is now {value}.",
    "Figures from {org} put {measure} at {value} for {year}.",
    "{Measure} was {value} in {year}, up from the year before, {org} said.",
]

# Stories told once: slots filled at random per sentence.
STORIES = [
    "In {city}, {person}, a director at {company}, said the firm would invest ${money} million "
    "in a new {noun} plant by {year}.",
    "{k} people were injured when a bus overturned near {city} on {weekday}, police said.",
    "{org_cap} cut its growth forecast for {country} to {pct} for {year}.",
    "{company} reported a quarterly profit of ${money} million, up {pct} from a year earlier.",
    "{person}, {country}'s {minister_title}, met {person2} in {city} on {datefull} to discuss "
    "{noun}.",
    "Farmers in {region} of {country} have been waiting for {noun} since {month}, local "
    "officials said.",
    "The port of {city} handled {tonnes} tonnes of cargo in {month}, its operator said.",
    "{person} was appointed chief executive of {company} on {weekday}, the company announced.",
    "A court in {city} fined {company} ${money} million on {datefull} over late deliveries of "
    "{noun}.",
    "Protesters gathered outside the {adj} embassy in {city} on {weekday} to demand action on "
    "{noun}.",
    "The {adj} parliament approved a budget of ${money} billion for {noun} on {datefull}.",
    "{company} will build {k} {noun} facilities in {country} over the next {k2} years, {person} "
    "said.",
    "Temperatures in {city} reached {temp} degrees on {weekday}, the weather office said.",
    "{k} {adj} students won places at a science olympiad held in {city} in {month}.",
    "The {adj} {minister_title} {person} resigned on {weekday} after a dispute over {noun}.",
    "Exports of {noun} from {country} rose {pct} in {month}, {org} said.",
]

# Sentences that carry little news: hedges, questions, headings, list lead-ins.
BACKGROUND = [
    "Analysts say the talks could shape the region's balance for years to come.",
    "It remains to be seen whether the plans will be carried out on time.",
    "Some observers believe the visit might be more symbolic than substantive.",
    "The details of the agreements have not been made public.",
    "Both governments have been careful not to raise expectations ahead of the meeting.",
    "This may see a wider framework of cooperation, possibly in {n1} and {n2}.",
    "Several of these proposals have been in discussion for years.",
    "Observers in {capB} were cautious about the timing of the announcement.",
]
QUESTIONS = ["What did {sur} say?", "What could be coming?", "Why does {n1} matter?"]
HEADINGS = [
    "{Topic} cooperation on the cards",
    "A new phase for {n1}",
    "{A} and {B}: what is at stake",
    "Background",
]
LIST_LEADS = [
    "A list of potential announcements could include:",
    "The agenda is expected to cover:",
    "Officials pointed to the possibility of:",
]

FURNITURE_TOP = ["- Date & Time:", "- |", "- Views: {views}", "- |", "- From: {outlet}"]
FURNITURE_END = [
    "Based On {outlet} Report",
    "Read more",
    "Also read",
    "Advertisement",
    "(With inputs from {outlet})",
]
