/**
 * The stores' SQL uses SQLite's placeholders: `?` in order, or `:name` bound from one object.
 * PostgreSQL numbers them (`$1`). Quoted strings, quoted names and comments are left alone,
 * and so is a `::type` cast.
 */
export interface NumberedSql {
  text: string;
  /** For `:name` placeholders, the name of each number in turn; null for `?` ones. */
  names: string[] | null;
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

export function numberPlaceholders(sql: string): NumberedSql {
  let text = '';
  let positional = 0;
  const names: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const char = sql[i] as string;
    const next = sql[i + 1];
    if (char === "'" || char === '"') {
      const end = closingQuote(sql, i, char);
      text += sql.slice(i, end);
      i = end;
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      text += sql.slice(i, stop);
      i = stop;
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      text += sql.slice(i, stop);
      i = stop;
    } else if (char === '?') {
      positional += 1;
      text += `$${positional}`;
      i += 1;
    } else if (char === ':' && next === ':') {
      text += '::';
      i += 2;
    } else if ((char === ':' || char === '@') && next !== undefined && NAME_START.test(next)) {
      let end = i + 1;
      while (end < sql.length && NAME_PART.test(sql[end] as string)) end += 1;
      const name = sql.slice(i + 1, end);
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      text += `$${index + 1}`;
      i = end;
    } else {
      text += char;
      i += 1;
    }
  }
  if (positional > 0 && names.length > 0) throw new Error('a statement mixes ? and :name placeholders');
  return { text, names: names.length > 0 ? names : null };
}

/** Index just past the quote that closes the one at `start` (a doubled quote is part of the text). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}
