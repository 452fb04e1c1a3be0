/**
 * Strings that have broken text storage somewhere: control characters (NUL first), lone UTF-16 surrogates
 * (valid JSON escapes, not encodable in UTF-8), and the valid but unusual (astral pairs, BOM, noncharacters,
 * combining marks, right-to-left text, maximum lengths). Deterministic: the same list on every database.
 */
export function nastyStrings(maxLength = 64): string[] {
  const out = new Set<string>();
  const add = (s: string): void => void out.add(s.slice(0, maxLength));
  // Every C0 control, DEL and a few C1 controls, alone and inside text.
  for (let c = 0; c < 0x20; c++) {
    add(String.fromCharCode(c));
    add(`m${String.fromCharCode(c)}x`);
  }
  for (const c of [0x7f, 0x80, 0x85, 0x9b, 0x9f]) add(`model${String.fromCharCode(c)}`);
  // Lone surrogates: high alone, low alone, reversed pair, at either end, next to a valid pair.
  for (const s of ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uDC00\uD800', 'a\uD83D', '\uDE00a', '\uD83D\uDE00\uD83D'])
    add(s);
  add(`${'x'.repeat(maxLength - 1)}\uD83D`);
  // Valid and storable: must come back exactly as sent.
  for (const s of [
    '',
    ' ',
    'fer-mini-xception',
    '\uD83D\uDE00 emoji',
    '\uD800\uDC00',
    '\uDBFF\uDFFF',
    '\uFEFFbom',
    '\uFFFE\uFFFF',
    '\uFFFD',
    'e\u0301\u0301\u0301',
    'مرحبا',
    '\u202Eevil\u202C',
    '\u00A0\u2028\u2029',
    'quote \' " \\ back',
    '%s %d {{x}} ${y}',
    'ü'.repeat(maxLength),
    '\uD83D\uDE00'.repeat(Math.floor(maxLength / 2)),
  ])
    add(s);
  return [...out];
}

/** The oracle: what the text rule refuses (any control character, any lone surrogate). */
export function shouldRefuse(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}
