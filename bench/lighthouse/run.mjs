// Lighthouse on a list of pages, for bench/lighthouse.py (which starts the site and prints the table).
//
// Reads a JSON object on stdin:
//   {"chromePath": "/usr/bin/chromium", "reportsDir": "/tmp/...",
//    "runs": [{"key": "home-light", "url": "http://localhost:8000/", "cookie": "theme=light",
//              "reportName": "home-light-1.json"}, ...]}
// and writes one JSON line per run on stdout:
//   {"key", "url", "finalUrl", "scores": {category: 0..100}, "failing": [{category, id, title, score,
//    weight, displayValue}], "runWarnings", "report": path of the full JSON report, "lighthouse", "userAgent",
//    "benchmarkIndex": Lighthouse's measure of the CPU's speed during the run (lower when the machine is busy)}
//
// Each run gets a fresh headless Chromium (no cache, no cookies but the theme's, nothing left from
// the run before), Lighthouse's default mobile emulation and simulated throttling, and the four
// categories. The theme cookie is sent as an extra header on every request, as a browser that had
// chosen the theme would send its cookie.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
// Audits that are not pass/fail: informative notes, manual checks, not applicable to the page.
const NOT_SCORED = new Set(['informative', 'manual', 'notApplicable', 'error']);

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function failingAudits(lhr) {
  const failing = [];
  for (const category of CATEGORIES) {
    for (const ref of lhr.categories[category].auditRefs) {
      const audit = lhr.audits[ref.id];
      if (audit.scoreDisplayMode === 'error') {
        failing.push({ category, id: ref.id, title: audit.title, score: null, weight: ref.weight,
          displayValue: `error: ${audit.errorMessage}` });
        continue;
      }
      if (NOT_SCORED.has(audit.scoreDisplayMode) || audit.score === null || audit.score >= 1) continue;
      failing.push({
        category,
        id: ref.id,
        title: audit.title,
        score: audit.score,
        weight: ref.weight,
        displayValue: audit.displayValue || '',
      });
    }
  }
  return failing;
}

async function runOne(run, { chromePath, reportsDir }) {
  const chrome = await chromeLauncher.launch({
    chromePath,
    chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    logLevel: 'error',
  });
  try {
    const flags = {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: CATEGORIES,
      extraHeaders: run.cookie ? { Cookie: run.cookie } : undefined,
    };
    // No config: Lighthouse's defaults, which are a mobile phone (Moto G Power) with simulated throttling.
    const result = await lighthouse(run.url, flags);
    const { lhr } = result;
    const report = join(reportsDir, run.reportName || `${run.key}.json`);
    writeFileSync(report, result.report);
    const scores = {};
    for (const category of CATEGORIES) {
      const score = lhr.categories[category].score;
      scores[category] = score === null ? null : Math.round(score * 100);
    }
    return {
      key: run.key,
      url: run.url,
      finalUrl: lhr.finalDisplayedUrl,
      scores,
      failing: failingAudits(lhr),
      runWarnings: lhr.runWarnings,
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
      report,
      lighthouse: lhr.lighthouseVersion,
      userAgent: lhr.environment.hostUserAgent,
      formFactor: lhr.configSettings.formFactor,
      benchmarkIndex: lhr.environment.benchmarkIndex,
    };
  } finally {
    await chrome.kill();
  }
}

const input = await readStdin();
mkdirSync(input.reportsDir, { recursive: true });
for (const run of input.runs) {
  const line = await runOne(run, input);
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
