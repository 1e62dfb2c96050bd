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
        let (articles, flagged, by_check) = (totals.articles, totals.flagged, &totals.by_check);
        let (present, terms) = (totals.terms_present, totals.terms);
        let mut out =
            String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>passeur review</title>\n";
        out += &format!("<style>{STYLE}</style>\n</head>\n<body>\n<h1>passeur review</h1>\n<div class=\"counts\">\n");
        out += &format!("<div>articles <b id=\"count-articles\">{articles}</b></div>\n");
        out += &format!(
            "<div>segments <b id=\"count-segments\">{}</b></div>\n",
            totals.rows
        );
        out += &format!("<div>flagged <b id=\"count-flagged\">{flagged}</b></div>\n");
        if terms > 0 {
            out += &format!(
                "<div>terms present <b id=\"count-terms\">{present}/{terms}</b> ({:.1}%)</div>\n",
                100.0 * present as f64 / terms as f64
            );
        }
        for (check, n) in by_check {
            out += &format!("<div>{} <b>{n}</b></div>\n", escape(check));
        }
        out += "</div>\n<div class=\"controls\"><label><input type=\"checkbox\" id=\"flagged-only\"> show only flagged segments</label>\n";
        out += "<label> check: <select id=\"check\"><option value=\"\">all</option>";
        for check in by_check.keys() {
            out += &format!("<option value=\"{0}\">{0}</option>", escape(check));
        }
        out += "</select></label> <span>showing <b id=\"shown\"></b></span></div>\n";
        out
    }

    fn article(&self, article: &[AlignedSegment]) -> String {
        let mut out = String::new();
        {
            let first = &article[0];
            out += &format!("<h2>{}</h2>\n<table>\n", escape(&first.article));
            for s in article {
                let class = if s.flags.is_empty() {
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
                    "<tr class=\"{class}\" data-checks=\"{}\"><td class=\"n\">{}.{}</td>",
                    escape(&checks.join(" ")),
                    s.paragraph + 1,
                    s.index + 1
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
                out += &format!(
                    "<td lang=\"fr\">{}</td>",
                    highlight(&s.source, &source_marks)
                );
                out += &format!(
                    "<td lang=\"en\">{}</td><td class=\"f\">",
                    highlight(&s.target, &target_marks(s))
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
            out += "</table>\n";
        }
        out
    }

    fn tail(&self) -> String {
        format!("<script>{SCRIPT}</script>\n</body>\n</html>\n")
    }
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

/// Escaped text with `<mark>`s around the given byte ranges.
fn highlight(text: &str, marks: &[(Range<usize>, TermStatus, String)]) -> String {
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
        out += &escape(&text[last..range.start]);
        out += &format!(
            "<mark class=\"{status}\" title=\"{}: {status}\">{}</mark>",
            escape(title),
            escape(&text[range.clone()])
        );
        last = range.end;
    }
    out += &escape(&text[last..]);
    out
}
