//! Deterministic health articles of about 1,450 words: front matter (title, writer,
//! reviewer, topic, summary, sources) and a Markdown body with H2/H3 headings,
//! paragraphs, bullet lists, inline links and bold. Article `i` comes from its own
//! PRNG seeded with `i` alone, so it is the same whatever the number of articles;
//! revision `k` changes a few sentences, from a PRNG seeded with `(i, k)`.

/// splitmix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6d65_6472_6576_6965)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.range(0, xs.len() - 1)]
    }
}

/// The vocabulary of the body text.
const VOCABULARY: &str = "\
the a of and to in is that for it as with be on by this are or from at an not can may \
which have has more most some many other these their your you also often usually \
sometimes than when if because while after before during between within without about \
into over under through people patients adults children doctor nurse clinician \
specialist health healthy body blood heart lungs kidneys liver brain skin bones muscles \
joints nerves immune system cells tissue vessels arteries pressure sugar glucose insulin \
cholesterol hormones infection virus bacteria inflammation pain symptoms signs condition \
disease disorder risk factors causes treatment therapy medicine medication dose side \
effects test screening diagnosis exam scan imaging results levels rate range normal high \
low mild moderate severe chronic acute early late common rare serious sudden gradual \
persistent diet food fiber protein fat salt water sleep exercise activity weight stress \
smoking alcohol habits lifestyle changes routine daily weeks months years days hours \
minutes help reduce lower improve increase manage control prevent protect support check \
monitor track measure notice report discuss ask talk follow take use start stop continue \
avoid limit choose plan keep find learn understand important useful effective safe \
possible likely specific general personal medical clinical regular simple small large \
new recent current long-term short-term research study evidence trial guidelines review \
data group age older younger women men family history genetic options care recovery \
outcomes quality life emergency hospital clinic appointment visit referral follow-up \
team breathing chest fever cough fatigue dizziness nausea headache rash swelling vision \
hearing memory mood anxiety energy appetite balance";

static WORDS: std::sync::LazyLock<Vec<&str>> =
    std::sync::LazyLock::new(|| VOCABULARY.split_whitespace().collect());

const TOPICS: &[&str] = &[
    "Type 2 diabetes",
    "Type 1 diabetes",
    "High blood pressure",
    "High cholesterol",
    "Asthma",
    "COPD",
    "Migraine",
    "Depression",
    "Generalized anxiety",
    "Insomnia",
    "Osteoarthritis",
    "Rheumatoid arthritis",
    "Osteoporosis",
    "Heart failure",
    "Atrial fibrillation",
    "Chronic kidney disease",
    "Psoriasis",
    "Eczema",
    "Celiac disease",
    "Crohn's disease",
    "Acid reflux",
    "Anemia",
    "Hypothyroidism",
    "Gout",
    "Sleep apnea",
    "Seasonal allergies",
    "Lyme disease",
    "Shingles",
    "Influenza",
    "Back pain",
];

const TITLES: &[&str] = &[
    "What to know about {t}",
    "{t}: symptoms, causes and treatment",
    "Living well with {t}",
    "Six questions to ask your doctor about {t}",
    "How {t} is diagnosed",
    "Treatment options for {t}",
    "{t} in older adults",
    "Early signs of {t} you should not ignore",
];

const SECTIONS: &[&str] = &[
    "What is {t}?",
    "Symptoms",
    "Causes and risk factors",
    "How it is diagnosed",
    "Treatment",
    "Living with {t}",
    "When to see a doctor",
    "Prevention",
    "Outlook",
];

const SUBSECTIONS: &[&str] = &[
    "Medications",
    "Lifestyle changes",
    "Questions for your care team",
    "For caregivers",
    "What the research says",
];

const PUBLISHERS: &[(&str, &str)] = &[
    (
        "Centers for Disease Control and Prevention",
        "https://www.cdc.gov/",
    ),
    (
        "National Institutes of Health",
        "https://www.nih.gov/health-information/",
    ),
    ("MedlinePlus", "https://medlineplus.gov/"),
    (
        "World Health Organization",
        "https://www.who.int/news-room/fact-sheets/detail/",
    ),
    ("PubMed", "https://pubmed.ncbi.nlm.nih.gov/"),
    (
        "Mayo Clinic",
        "https://www.mayoclinic.org/diseases-conditions/",
    ),
];

/// The words the body should have, about.
const TARGET_WORDS: usize = 1250;

pub struct Article {
    pub slug: String,
    pub title: String,
    pub writer: usize,
    pub reviewer: usize,
    pub topic: String,
    pub summary: String,
    pub sources: Vec<(String, String)>,
    pub blocks: Vec<String>,
}

fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn words(rng: &mut Rng, lo: usize, hi: usize) -> Vec<String> {
    let n = rng.range(lo, hi);
    (0..n).map(|_| (*rng.pick(&WORDS[..])).to_owned()).collect()
}

fn sentence(rng: &mut Rng, topic: &str) -> String {
    rich_sentence(rng, topic, true)
}

/// A sentence; `rich` lets it carry an inline link or bold words.
fn rich_sentence(rng: &mut Rng, topic: &str, rich: bool) -> String {
    let mut ws = words(rng, 8, 22);
    let n = ws.len();
    if n > 10 && rng.chance(0.5) {
        let k = rng.range(3, n - 4);
        ws[k].push(',');
    }
    let roll = if rich { rng.next() % 100 } else { 100 };
    if roll < 10 {
        let k = rng.range(1, n - 2);
        ws.insert(k, link(rng, topic));
    } else if roll < 18 {
        let k = rng.range(0, n - 1);
        let w = ws[k].trim_end_matches(',').to_owned();
        let rest = ws[k][w.len()..].to_owned();
        ws[k] = format!("**{w}**{rest}");
    }
    let end = if rng.chance(0.15) { "?" } else { "." };
    capitalize(&ws.join(" ")) + end
}

fn link(rng: &mut Rng, topic: &str) -> String {
    let ws = words(rng, 2, 4);
    format!(
        "[{}](https://www.example-health.org/{}/{})",
        ws.join(" "),
        slugify(topic),
        slugify(&ws.join("-"))
    )
}

fn paragraph(rng: &mut Rng, topic: &str) -> String {
    let target = rng.range(60, 120);
    let mut out: Vec<String> = Vec::new();
    let mut n = 0;
    while n < target {
        let s = sentence(rng, topic);
        n += s.split(' ').count();
        out.push(s);
    }
    out.join(" ")
}

fn bullets(rng: &mut Rng, topic: &str) -> String {
    let count = rng.range(3, 7);
    (0..count)
        .map(|_| {
            let ws = words(rng, 3, 12).join(" ");
            if rng.chance(0.35) {
                format!("- **{}:** {ws}", capitalize(rng.pick::<&str>(&WORDS[..])))
            } else if rng.chance(0.1) {
                format!("- {} {}", capitalize(&ws), link(rng, topic))
            } else {
                format!("- {}", capitalize(&ws))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn count_words(s: &str) -> usize {
    s.split_whitespace().count()
}

impl Article {
    /// Article `i`'s first revision.
    pub fn new(i: usize, writers: usize, reviewers: usize) -> Article {
        let mut rng = Rng::new(i as u64);
        let topic = (*rng.pick(TOPICS)).to_owned();
        let title = capitalize(&rng.pick(TITLES).replace("{t}", &topic));
        let slug = format!("{}-{i:05}", slugify(&title));
        let summary = format!(
            "{} {}",
            rich_sentence(&mut rng, &topic, false),
            rich_sentence(&mut rng, &topic, false)
        );
        let sources = (0..rng.range(3, 6))
            .map(|_| {
                let (publisher, base) = *rng.pick(PUBLISHERS);
                let title = format!("{publisher}: {}", words(&mut rng, 3, 7).join(" "));
                let url = format!("{base}{}-{}", slugify(&topic), rng.range(1000, 99999));
                (title, url)
            })
            .collect();
        let mut blocks = Vec::new();
        let mut n = 0;
        for _ in 0..2 {
            let p = paragraph(&mut rng, &topic);
            n += count_words(&p);
            blocks.push(p);
        }
        let mut section = 0;
        while n < TARGET_WORDS - 60 {
            blocks.push(format!(
                "## {}",
                SECTIONS[section % SECTIONS.len()].replace("{t}", &topic.to_lowercase())
            ));
            section += 1;
            for _ in 0..rng.range(1, 3) {
                let p = paragraph(&mut rng, &topic);
                n += count_words(&p);
                blocks.push(p);
            }
            if rng.chance(0.5) {
                let b = bullets(&mut rng, &topic);
                n += count_words(&b);
                blocks.push(b);
            }
            if rng.chance(0.25) {
                blocks.push(format!("### {}", rng.pick(SUBSECTIONS)));
                let p = paragraph(&mut rng, &topic);
                n += count_words(&p);
                blocks.push(p);
            }
        }
        Article {
            slug,
            title,
            writer: i % writers,
            reviewer: (i / writers + i) % reviewers,
            topic,
            summary,
            sources,
            blocks,
        }
    }

    /// Revision `k` (k ≥ 1): a few sentences rewritten, sometimes a source added.
    /// Returns the note the writer submits it with.
    pub fn revise(&mut self, i: usize, k: usize) -> String {
        let mut rng = Rng::new(((i as u64) << 16) ^ (k as u64) ^ 0x5245_5649_5345);
        let paragraphs: Vec<usize> = (0..self.blocks.len())
            .filter(|&j| !self.blocks[j].starts_with('#') && !self.blocks[j].starts_with("- "))
            .collect();
        let mut touched = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let j = *rng.pick(&paragraphs);
            let mut sentences: Vec<String> = self.blocks[j]
                .split_inclusive(['.', '?'])
                .map(str::to_owned)
                .collect();
            let s = rng.range(0, sentences.len() - 1);
            let lead = if s == 0 { "" } else { " " };
            sentences[s] = format!("{lead}{}", sentence(&mut rng, &self.topic));
            self.blocks[j] = sentences.concat().trim().to_owned();
            touched.push(j.to_string());
        }
        if rng.chance(0.2) {
            let (publisher, base) = *rng.pick(PUBLISHERS);
            let title = format!("{publisher}: {}", words(&mut rng, 3, 6).join(" "));
            let url = format!("{base}{}-{}", slugify(&self.topic), rng.range(1000, 99999));
            self.sources.push((title, url));
            return format!(
                "Rewrite sentences in blocks {}; add a source.",
                touched.join(", ")
            );
        }
        format!("Rewrite sentences in blocks {}.", touched.join(", "))
    }

    /// The Markdown body.
    pub fn body(&self) -> String {
        self.blocks.join("\n\n") + "\n"
    }

    /// `article.md`: YAML front matter with roster ids, then the body.
    pub fn render(&self, writer: &str, reviewer: &str) -> String {
        let mut out = format!(
            "---\ntitle: {}\nwriter: {writer}\nreviewer: {reviewer}\ntopic: {}\nsummary: {}\nsources:\n",
            quote(&self.title),
            quote(&self.topic),
            quote(&self.summary)
        );
        for (title, url) in &self.sources {
            out.push_str(&format!(
                "  - title: {}\n    url: {}\n",
                quote(title),
                quote(url)
            ));
        }
        out.push_str("---\n\n");
        out.push_str(&self.body());
        out
    }
}

/// A YAML double-quoted string (also valid TOML and JSON for this text).
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
