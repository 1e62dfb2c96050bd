//! `review.html`: one self-contained page (no network) for reviewers: counts at the top,
//! each article's sentences side by side, glossary terms highlighted on both sides with
//! their status, QA flags visible and filterable. Every piece of text is escaped, so an
//! article containing `<script>` or `&` shows it as text.

use std::ops::Range;

use super::xml::escape;
use super::{Totals, Writer};
use crate::align::AlignedSegment;
use crate::glossary::TermStatus;

pub struct Html;

const STYLE: &str = "
body{font:15px/1.45 system-ui,sans-serif;margin:0 2rem 3rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ccc}
.counts{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:.5rem 0 1rem}
.counts div{background:#f3f3f3;padding:.3rem .7rem;border-radius:4px}
.controls{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #eee}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td{vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #eee}
td.n{width:4rem;color:#888;font-size:.8rem}td.f{width:22%}
tr.flagged td.n{border-left:4px solid #e0a000}tr.error td.n{border-left:4px solid #c00}
.flag{display:block;font-size:.8rem;margin-bottom:.2rem}
.flag.error{color:#b00}.flag.warning{color:#a60}.flag.info{color:#357}
mark{border-radius:3px;padding:0 2px}
mark.ok,mark.normalised{background:#d7f5d7}mark.repaired-nbest,mark.repaired-prefix{background:#d7e9ff}
mark.missing{background:#ffd6d6}
.code{font:85% monospace;color:#6a1b9a;background:#f3e5f5;border-radius:3px;padding:0 2px}
body.flagged-only tr.clean{display:none}
details{font-size:.8rem;color:#555}details ol{margin:.2rem 0;padding-left:1.2rem}
";

const SCRIPT: &str = "
function apply(){
  var only=document.getElementById('flagged-only').checked;
  var check=document.getElementById('check').value;
  document.body.classList.toggle('flagged-only',only);
  document.querySelectorAll('tr.seg').forEach(function(r){
    var checks=(r.getAttribute('data-checks')||'').split(' ');
    r.style.display=(check&&checks.indexOf(check)<0)?'none':'';
  });
  var shown=0;document.querySelectorAll('tr.seg').forEach(function(r){if(r.offsetParent!==null)shown++;});
  document.getElementById('shown').textContent=shown;
}
if(location.hash==='#flagged'){document.getElementById('flagged-only').checked=true;}
document.getElementById('flagged-only').addEventListener('change',apply);
document.getElementById('check').addEventListener('change',apply);
apply();
";

impl Writer for Html {
    fn file_name(&self) -> &'static str {
        "review.html"
    }

    fn head(&self, totals: &Totals) -> String {
        let mut out = page_start("passeur review");
        out += &counts(totals);
        out += "<div class=\"controls\"><label><input type=\"checkbox\" id=\"flagged-only\"> show only flagged segments</label>\n";
        out += "<label> check: <select id=\"check\"><option value=\"\">all</option>";
        for check in totals.by_check.keys() {
            out += &format!("<option value=\"{0}\">{0}</option>", escape(check));
        }
        out += "</select></label> <span>showing <b id=\"shown\"></b></span></div>\n";
        out
    }

    fn article_start(&self, first: &AlignedSegment) -> String {
        format!(
            "<h2 id=\"{}\">{}</h2>\n<table>\n",
            anchor(&first.article),
            escape(&first.article)
        )
    }

    fn rows(&self, article: &[AlignedSegment]) -> String {
        let mut out = String::new();
        {
            for s in article {
                let class = if !s.is_flagged() {
                    "seg clean"
                } else if s
                    .flags
                    .iter()
                    .any(|f| f.severity == crate::check::Severity::Error)
                {
                    "seg flagged error"
                } else {
                    "seg flagged"
                };
                let checks: Vec<&str> = s.flags.iter().map(|f| f.check.name()).collect();
                out += &format!(
                    "<tr class=\"{class}\" data-checks=\"{}\" data-state=\"{state}\"><td class=\"n\">{}.{}<br><small>{state}</small></td>",
                    escape(&checks.join(" ")),
                    s.paragraph + 1,
                    s.index + 1,
                    state = s.state().name(),
                );
                let source_marks: Vec<(Range<usize>, TermStatus, String)> = s
                    .terms
                    .iter()
                    .map(|t| {
                        (
                            t.span.clone(),
                            t.status,
                            format!("{} → {}", t.source, t.target),
                        )
                    })
                    .collect();
                let code_html = |i: usize| {
                    format!("<span class=\"code\">{}</span>", escape(&s.codes[i].markup))
                };
                let source_codes: Vec<(usize, String)> = s
                    .codes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.at, code_html(i)))
                    .collect();
                let target_codes: Vec<(usize, String)> =
                    s.placed.iter().map(|&(i, at)| (at, code_html(i))).collect();
                out += &format!(
                    "<td lang=\"fr\">{}</td>",
                    highlight(&s.source, &source_marks, &source_codes)
                );
                out += &format!(
                    "<td lang=\"en\">{}</td><td class=\"f\">",
                    highlight(&s.target, &target_marks(s), &target_codes)
                );
                for f in &s.flags {
                    out += &format!(
                        "<span class=\"flag {}\">{}: {}</span>",
                        f.severity.name(),
                        escape(f.check.name()),
                        escape(&f.reason)
                    );
                }
                if !s.alternatives.is_empty() {
                    out += &format!(
                        "<details><summary>the model's other hypotheses ({})</summary><ol>",
                        s.alternatives.len()
                    );
                    for alternative in &s.alternatives {
                        out += &format!("<li>{}</li>", escape(alternative));
                    }
                    out += "</ol></details>";
                }
                out += "</td></tr>\n";
            }
        }
        out
    }

    fn article_end(&self) -> String {
        "</table>\n".into()
    }

    fn tail(&self) -> String {
        format!("<script>{SCRIPT}</script>\n</body>\n</html>\n")
    }
}

/// The id of an article's heading, for links to it: a hash of its id, which any
/// character may be in.
fn anchor(article: &str) -> String {
    use sha2::{Digest, Sha256};
    format!(
        "a-{}",
        &crate::files::hex(Sha256::digest(article.as_bytes()))[..12]
    )
}

/// The start of a page, up to its `<h1>`.
fn page_start(title: &str) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out += &format!(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n",
        escape(title)
    );
    out += &format!(
        "<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(title)
    );
    out
}

/// The counts at the top of a page.
fn counts(totals: &Totals) -> String {
    let (present, terms) = (totals.terms_present, totals.terms);
    let mut out = String::from("<div class=\"counts\">\n");
    out += &format!(
        "<div>articles <b id=\"count-articles\">{}</b></div>\n",
        totals.articles
    );
    out += &format!(
        "<div>segments <b id=\"count-segments\">{}</b></div>\n",
        totals.rows
    );
    out += &format!(
        "<div>flagged <b id=\"count-flagged\">{}</b></div>\n",
        totals.flagged
    );
    if terms > 0 {
        out += &format!(
            "<div>terms present <b id=\"count-terms\">{present}/{terms}</b> ({:.1}%)</div>\n",
            100.0 * present as f64 / terms as f64
        );
    }
    for (check, n) in &totals.by_check {
        out += &format!("<div>{} <b>{n}</b></div>\n", escape(check));
    }
    out += "</div>\n";
    out
}

/// Rows above which the report is split: `review.html` becomes an index (the counts, and
/// one line per article with its flags and a link) and the articles go to pages of about
/// this many rows in `review/`, so a big batch never makes one page of hundreds of
/// megabytes that no browser opens.
pub const PAGE_ROWS: usize = 2000;

/// The report of a big batch, written as its articles come: pages of whole articles in
/// `review/NNNN.html`, and the index `review.html`.
pub struct PagedHtml {
    dir: std::path::PathBuf,
    index: crate::files::AtomicFile,
    page: Vec<AlignedSegment>,
    pages: usize,
    /// The index line of the article being added.
    current: ArticleLine,
}

/// An article's line in the index: the page it starts on, its rows, flagged and failed.
#[derive(Debug, Default, Clone, Copy)]
struct ArticleLine {
    page: usize,
    rows: usize,
    flagged: usize,
    errors: usize,
}

impl PagedHtml {
    /// Starts the index; `totals` sums up every row to come.
    pub fn new(
        dir: &std::path::Path,
        totals: &Totals,
    ) -> Result<PagedHtml, crate::files::WriteError> {
        use std::io::Write;
        let path = dir.join(Html.file_name());
        let mut index = crate::files::AtomicFile::create(&path)?;
        let mut head = page_start("passeur review");
        head += &counts(totals);
        head += "<p>The articles are on pages of about ";
        head += &format!("{PAGE_ROWS} segments; each line below links to one.</p>\n");
        head +=
            "<table>\n<tr><td>article</td><td>segments</td><td>flagged</td><td>errors</td></tr>\n";
        index
            .write_all(head.as_bytes())
            .map_err(|source| crate::files::WriteError {
                path: path.display().to_string(),
                source,
            })?;
        Ok(PagedHtml {
            dir: dir.to_path_buf(),
            index,
            page: Vec::new(),
            pages: 0,
            current: ArticleLine::default(),
        })
    }

    fn page_name(number: usize) -> String {
        format!("review/{number:04}.html")
    }

    /// Adds an article: to the current page, and a line to the index.
    pub fn article(&mut self, rows: &[AlignedSegment]) -> Result<(), crate::files::WriteError> {
        self.article_part(rows, true, true)
    }

    /// Adds a part of an article (a long one comes in parts, and goes on over pages); its
    /// line goes to the index with its last part, linking to the page where it starts.
    pub fn article_part(
        &mut self,
        rows: &[AlignedSegment],
        first: bool,
        last: bool,
    ) -> Result<(), crate::files::WriteError> {
        use std::io::Write;
        if !self.page.is_empty() && self.page.len() + rows.len() > PAGE_ROWS {
            self.flush_page()?;
        }
        if first {
            self.current = ArticleLine {
                page: self.pages + 1,
                ..ArticleLine::default()
            };
        }
        let line = &mut self.current;
        line.rows += rows.len();
        line.flagged += rows.iter().filter(|r| r.is_flagged()).count();
        line.errors += rows
            .iter()
            .filter(|r| {
                r.flags
                    .iter()
                    .any(|f| f.severity == crate::check::Severity::Error)
            })
            .count();
        self.page.extend_from_slice(rows);
        if !last {
            return Ok(());
        }
        let ArticleLine {
            page,
            rows: count,
            flagged,
            errors,
        } = self.current;
        let line = format!(
            "<tr class=\"{}\"><td><a href=\"{}\">{}</a></td><td>{count}</td><td>{flagged}</td><td>{errors}</td></tr>\n",
            if errors > 0 { "error" } else if flagged > 0 { "flagged" } else { "clean" },
            escape(&format!(
                "{}#{}",
                Self::page_name(page),
                anchor(&rows[0].article)
            )),
            escape(&rows[0].article),
        );
        self.index
            .write_all(line.as_bytes())
            .map_err(|source| crate::files::WriteError {
                path: self.dir.join(Html.file_name()).display().to_string(),
                source,
            })
    }

    fn flush_page(&mut self) -> Result<(), crate::files::WriteError> {
        self.pages += 1;
        let path = self.dir.join(Self::page_name(self.pages));
        // Each page leads back to the index, which is one folder up.
        let page = String::from_utf8(Html.render(&self.page))
            .expect("the report is UTF-8")
            .replacen(
                "<h1>passeur review</h1>\n",
                "<h1>passeur review</h1>\n<p><a href=\"../review.html\">← all articles</a></p>\n",
                1,
            );
        super::write_atomic(&path, page.as_bytes())?;
        self.page.clear();
        Ok(())
    }

    /// Writes the last page and closes the index; removes pages of an earlier, bigger run.
    pub fn finish(mut self) -> Result<(), crate::files::WriteError> {
        use std::io::Write;
        if !self.page.is_empty() {
            self.flush_page()?;
        }
        let path = self.dir.join(Html.file_name());
        self.index
            .write_all(b"</table>\n</body>\n</html>\n")
            .map_err(|source| crate::files::WriteError {
                path: path.display().to_string(),
                source,
            })?;
        self.index.commit()?;
        remove_pages(&self.dir, self.pages + 1);
        Ok(())
    }
}

/// Removes the pages `review/NNNN.html` numbered `from` and up (and the folder when empty):
/// what an earlier run wrote that this one did not.
pub fn remove_pages(dir: &std::path::Path, from: usize) {
    let folder = dir.join("review");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let number = name
            .strip_suffix(".html")
            .and_then(|n| n.parse::<usize>().ok());
        if number.is_some_and(|n| n >= from) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let _ = std::fs::remove_dir(&folder);
}

/// Where each present term's target appears in the translation (first unused occurrence,
/// case-insensitive).
fn target_marks(s: &AlignedSegment) -> Vec<(Range<usize>, TermStatus, String)> {
    let lower = s.target.to_lowercase();
    let mut marks: Vec<(Range<usize>, TermStatus, String)> = Vec::new();
    // Lower-casing can change byte lengths outside ASCII; only search when it did not.
    if lower.len() != s.target.len() {
        return marks;
    }
    for t in s.terms.iter().filter(|t| t.status.is_present()) {
        let needle = t.target.to_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find(&needle) {
            let range = from + at..from + at + needle.len();
            if !marks
                .iter()
                .any(|(r, _, _)| r.start < range.end && range.start < r.end)
            {
                marks.push((range, t.status, format!("{} ← {}", t.target, t.source)));
                break;
            }
            from = range.end;
        }
    }
    marks.sort_by_key(|(r, _, _)| r.start);
    marks
}

/// Escaped text with `<mark>`s around the given byte ranges, and inline codes (already
/// HTML, in order) put in at their offsets.
fn highlight(
    text: &str,
    marks: &[(Range<usize>, TermStatus, String)],
    codes: &[(usize, String)],
) -> String {
    let mut codes = codes.iter().peekable();
    // Escaped text[from..to] with the codes that sit in it (a code on a boundary goes with
    // the stretch before it).
    let mut piece = |from: usize, to: usize| -> String {
        let mut out = String::new();
        let mut at = from;
        while let Some((pos, html)) = codes.next_if(|(pos, _)| *pos <= to) {
            let pos = (*pos).clamp(at, to);
            if text.is_char_boundary(pos) {
                out += &escape(&text[at..pos]);
                at = pos;
            }
            out += html;
        }
        out += &escape(&text[at..to]);
        out
    };
    let mut out = String::new();
    let mut last = 0;
    for (range, status, title) in marks {
        if range.start < last
            || range.end > text.len()
            || !text.is_char_boundary(range.start)
            || !text.is_char_boundary(range.end)
        {
            continue;
        }
        let status = status.name();
        out += &piece(last, range.start);
        out += &format!(
            "<mark class=\"{status}\" title=\"{}: {status}\">{}</mark>",
            escape(title),
            piece(range.start, range.end)
        );
        last = range.end;
    }
    out += &piece(last, text.len());
    out
}
