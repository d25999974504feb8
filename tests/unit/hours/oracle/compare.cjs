/*
 * compare.cjs - checks the cases printed by hours_oracle.c against the npm
 * package opening_hours (install it outside the repo, e.g. in /tmp/oh, and
 * point NODE_PATH at its node_modules). Evaluates in Asia/Shanghai, which
 * has had a fixed UTC+8 offset since 1991.
 *
 * "Open" is opening_hours' getState() (unknown counts as closed, as in the
 * C module); the next change is the first moment within 8 days where that
 * boolean flips, found with its iterator. Disagreements are counted per
 * moment and sorted by the tags hours_oracle.c puts on each expression,
 * naming where the two differ on purpose (see hours.h):
 *   comment   npm reads a comment without a modifier as unknown even when
 *             the rule has times; here comments do not change the state
 *   spill     npm lets a later rule for the next day cut a night's spill;
 *             here the spill belongs to the day whose rule made it
 *   timesonly npm turns a "; " rule without days that follows a rule with
 *             days into an additional rule; here it applies to every day
 *   unknown   npm does not let "10:00-12:00 unknown" (no days) wipe the
 *             day; here unknown rules replace the day like open ones
 * "other" is everything else and makes the exit status 1.
 */
'use strict';
process.env.TZ = 'Asia/Shanghai';
const OpeningHours = require('opening_hours');
const readline = require('readline');

const HORIZON_MS = 8 * 86400 * 1000;

function nextFlip(oh, date) {
    const it = oh.getIterator(date);
    const open = it.getState();
    const limit = new Date(date.getTime() + HORIZON_MS);
    while (it.advance(limit)) {
        const at = it.getDate();
        if (at > limit)
            break;
        if (it.getState() !== open)
            return Math.floor(at.getTime() / 1000);
    }
    return -1;
}

const TAGS = [[1, 'comment'], [2, 'spill'], [4, 'timesonly'], [8, 'unknown']];

function category(tags) {
    for (const [bit, name] of TAGS)
        if (tags & bit)
            return name;
    return 'other';
}

function local(t) {
    return new Date(t * 1000).toString().slice(0, 21);
}

async function main() {
    const rl = readline.createInterface({ input: process.stdin });
    const stats = { moments: 0, exprs: 0, refused: 0 };
    const bad = { comment: [], spill: [], timesonly: [], unknown: [], other: [] };
    const seen = { comment: 0, spill: 0, timesonly: 0, unknown: 0, other: 0 };
    for await (const line of rl) {
        if (!line.trim())
            continue;
        const c = JSON.parse(line);
        stats.exprs++;
        let oh;
        try {
            oh = new OpeningHours(c.expr, null);
        } catch (e) {
            stats.refused++;
            bad.other.push(`npm refuses "${c.expr}": ${String(e).slice(0, 100)}`);
            continue;
        }
        for (const [t, open, next] of c.cases) {
            stats.moments++;
            seen[category(c.tags)]++;
            const d = new Date(t * 1000);
            const nOpen = oh.getState(d) ? 1 : 0;
            const nNext = nextFlip(oh, d);
            if (nOpen === open && nNext === next)
                continue;
            const cat = category(c.tags);
            bad[cat].push(`"${c.expr}" at ${local(t)}: C open=${open} ` +
                `next=${next < 0 ? '-' : local(next)} | npm open=${nOpen} ` +
                `next=${nNext < 0 ? '-' : local(nNext)}`);
        }
    }
    const cats = Object.keys(bad);
    const total = cats.reduce((n, k) => n + bad[k].length, 0);
    const pct = (a, b) => b ? (100 * a / b).toFixed(2) + '%' : '-';
    console.log(`expressions ${stats.exprs}, moments ${stats.moments}, ` +
        `npm refused ${stats.refused}`);
    console.log(`disagreements ${total} of ${stats.moments} (${pct(total, stats.moments)})`);
    for (const k of cats)
        console.log(`  ${k.padEnd(9)} ${bad[k].length} of ${seen[k]} moments ` +
            `(${pct(bad[k].length, seen[k])})`);
    const show = +(process.env.SHOW || 8);
    for (const cat of ['other', 'unknown', 'timesonly', 'spill', 'comment']) {
        for (const s of bad[cat].slice(0, show))
            console.log(`  [${cat}] ${s}`);
    }
    process.exitCode = bad.other.length ? 1 : 0;
}

main();
