// A small RFC 4180 reader and writer for checking the service's CSV.

/** Parse CSV text into an array of records (arrays of strings). */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let rec = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (c === ',') {
      rec.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
      atFieldStart = true;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c;
    atFieldStart = false;
    i++;
  }
  if (field !== '' || rec.length) {
    rec.push(field);
    records.push(rec);
  }
  return records;
}

/** Records as objects keyed by the header row. */
export function csvObjects(text) {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

function quote(v) {
  const s = String(v ?? '');
  return /[",\r\n]/.test(s) || /^ | $/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Write records (arrays) as CSV with CRLF line ends. */
export function writeCsv(records) {
  return records.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** Drop one column (by header name) from CSV text. */
export function dropColumn(text, name) {
  const recs = parseCsv(text);
  const i = recs[0].indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return writeCsv(recs.map((r) => r.filter((_, k) => k !== i)));
}
