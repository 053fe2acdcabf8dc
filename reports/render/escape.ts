/** Everything that comes from data is escaped on its way into HTML, Markdown or XML. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` block: `<` becomes `\u003c` so no `</script>` or
 * `<!--` inside a string can end the block; U+2028/2029 are escaped for old JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Text for a Markdown table cell or list item, as GitHub renders it: HTML is escaped to entities,
 * and the characters that make Markdown structure (pipes, backticks, emphasis, link brackets) are
 * backslash-escaped; newlines become spaces so a cell stays one row.
 */
export function escapeMarkdown(value: unknown): string {
  return String(value ?? '')
    .replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!)
    .replace(/[\r\n]+/g, ' ')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

/**
 * Text of our own that marks commands as code spans (a warning's hint: "rerun it with `bench
 * resume`"): the code spans stay code, the rest is escaped as escapeMarkdown does. Unpaired
 * backticks are escaped like any other text.
 */
export function markdownWithCode(value: unknown): string {
  const parts = String(value ?? '').split('`');
  if (parts.length % 2 === 0) return escapeMarkdown(value);
  return parts.map((part, i) => (i % 2 === 1 && part.trim() !== '' ? `\`${part.replace(/[\r\n]+/g, ' ')}\`` : escapeMarkdown(part))).join('');
}

/** Text for XML element content and attribute values (JUnit). Drops characters XML 1.0 forbids. */
export function escapeXml(value: unknown): string {
  return (
    escapeHtml(value)
      .replace(/&#39;/g, '&apos;')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the control characters XML 1.0 forbids is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
  );
}
