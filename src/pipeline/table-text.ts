// Text extracted from a PDF table (cells separated by " | " or tabs) turned back into an HTML table,
// so the catalogue's HTML reader handles PDF attachments like the 2023 catalogue.

const CELL_SEPARATOR = /\s+\|\s+|\t+/;

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** True when several lines have cells and one looks like the catalogue's header row. */
export function looksLikeTableText(text: string): boolean {
  const lines = text.split('\n');
  const rows = lines.filter((l) => CELL_SEPARATOR.test(l)).length;
  return rows >= 2 && lines.some((l) => /编\s*号/.test(l) && /技术名称/.test(l));
}

/** Lines with cells become table rows; other lines become paragraphs (part and sector headings). */
export function tableTextToHtml(text: string): string {
  const out: string[] = ['<html><body>'];
  let inTable = false;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const cells = trimmed.split(CELL_SEPARATOR).map((c) => c.trim());
    if (cells.length >= 2) {
      if (!inTable) out.push('<table>');
      inTable = true;
      out.push(`<tr>${cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`);
    } else {
      if (inTable) out.push('</table>');
      inTable = false;
      out.push(`<p>${escape(trimmed)}</p>`);
    }
  }
  if (inTable) out.push('</table>');
  out.push('</body></html>');
  return out.join('\n');
}
