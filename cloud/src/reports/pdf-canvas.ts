/**
 * The part of the HTML canvas 2D context that Chart.js draws with, implemented on a PDFKit document, so that
 * the PDF's charts come out of Chart.js itself (the library the dashboard draws with: same scales, ticks,
 * stacking, fills and legends) as vector graphics with the report's embedded font, not as a bitmap.
 *
 * Canvas semantics kept: a path is recorded and replayed on each fill/stroke/clip (PDF paths end at their
 * first paint), colours carry their alpha ("rgba(...)", "#rrggbbaa"), save/restore nest with the PDF's
 * graphics state, text is placed by textAlign/textBaseline and measured with the same font it is drawn in.
 */

type Op =
  | { op: 'M' | 'L'; x: number; y: number }
  | { op: 'C'; a: number; b: number; c: number; d: number; x: number; y: number }
  | { op: 'Q'; a: number; b: number; x: number; y: number }
  | { op: 'Z' }
  | { op: 'R'; x: number; y: number; w: number; h: number };

type Matrix = [number, number, number, number, number, number];

interface State {
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  lineCap: 'butt' | 'round' | 'square';
  lineJoin: 'miter' | 'round' | 'bevel';
  miterLimit: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  globalAlpha: number;
  dash: number[];
  lineDashOffset: number;
  matrix: Matrix;
}

export interface PdfCanvasFonts {
  regular: string;
  bold: string;
}

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** CSS colour -> PDF colour and alpha. Understands what Chart.js and our options produce. */
export function parseColor(css: unknown): { color: [number, number, number]; alpha: number } {
  const s = typeof css === 'string' ? css.trim().toLowerCase() : '';
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    let h = m[1]!;
    if (h.length === 3 || h.length === 4) h = [...h].map((c) => c + c).join('');
    const n = (i: number): number => parseInt(h.slice(i, i + 2), 16);
    return { color: [n(0), n(2), n(4)], alpha: h.length === 8 ? n(6) / 255 : 1 };
  }
  m = /^rgba?\(([^)]+)\)$/.exec(s);
  if (m) {
    const parts = m[1]!
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return {
      color: [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0],
      alpha: parts[3] ?? 1,
    };
  }
  if (s === 'transparent' || s === '') return { color: [0, 0, 0], alpha: 0 };
  if (s === 'white') return { color: [255, 255, 255], alpha: 1 };
  return { color: [0, 0, 0], alpha: 1 };
}

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

function invert(m: Matrix): Matrix {
  const det = m[0] * m[3] - m[1] * m[2] || 1;
  return [
    m[3] / det,
    -m[1] / det,
    -m[2] / det,
    m[0] / det,
    (m[2] * m[5] - m[3] * m[4]) / det,
    (m[1] * m[4] - m[0] * m[5]) / det,
  ];
}

/** A canvas element's stand-in: Chart.js reads its size and asks it for a context. */
export class PdfCanvas {
  readonly style: Record<string, string> = {};
  readonly context: PdfContext2D;

  constructor(
    doc: PDFKit.PDFDocument,
    public width: number,
    public height: number,
    fonts: PdfCanvasFonts,
  ) {
    this.context = new PdfContext2D(doc, this, fonts);
  }

  getContext(kind: string): PdfContext2D | null {
    return kind === '2d' ? this.context : null;
  }
}

export class PdfContext2D {
  private state: State = {
    fillStyle: '#000000',
    strokeStyle: '#000000',
    lineWidth: 1,
    lineCap: 'butt',
    lineJoin: 'miter',
    miterLimit: 10,
    font: '10px sans-serif',
    textAlign: 'start',
    textBaseline: 'alphabetic',
    globalAlpha: 1,
    dash: [],
    lineDashOffset: 0,
    matrix: [...IDENTITY],
  };
  private readonly stack: State[] = [];
  private path: Op[] = [];
  private cursor: { x: number; y: number } | null = null;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    readonly canvas: PdfCanvas,
    private readonly fonts: PdfCanvasFonts,
  ) {}

  // --- state -------------------------------------------------------------------------------------------
  get fillStyle(): string {
    return this.state.fillStyle;
  }
  set fillStyle(v: string) {
    this.state.fillStyle = v;
  }
  get strokeStyle(): string {
    return this.state.strokeStyle;
  }
  set strokeStyle(v: string) {
    this.state.strokeStyle = v;
  }
  get lineWidth(): number {
    return this.state.lineWidth;
  }
  set lineWidth(v: number) {
    if (Number.isFinite(v) && v >= 0) this.state.lineWidth = v;
  }
  get lineCap(): State['lineCap'] {
    return this.state.lineCap;
  }
  set lineCap(v: State['lineCap']) {
    this.state.lineCap = v;
  }
  get lineJoin(): State['lineJoin'] {
    return this.state.lineJoin;
  }
  set lineJoin(v: State['lineJoin']) {
    this.state.lineJoin = v;
  }
  get miterLimit(): number {
    return this.state.miterLimit;
  }
  set miterLimit(v: number) {
    this.state.miterLimit = v;
  }
  get font(): string {
    return this.state.font;
  }
  set font(v: string) {
    this.state.font = v;
  }
  get textAlign(): string {
    return this.state.textAlign;
  }
  set textAlign(v: string) {
    this.state.textAlign = v;
  }
  get textBaseline(): string {
    return this.state.textBaseline;
  }
  set textBaseline(v: string) {
    this.state.textBaseline = v;
  }
  get globalAlpha(): number {
    return this.state.globalAlpha;
  }
  set globalAlpha(v: number) {
    if (Number.isFinite(v)) this.state.globalAlpha = Math.min(1, Math.max(0, v));
  }
  get lineDashOffset(): number {
    return this.state.lineDashOffset;
  }
  set lineDashOffset(v: number) {
    this.state.lineDashOffset = v;
  }
  setLineDash(segments: number[]): void {
    this.state.dash = segments.filter((x) => Number.isFinite(x) && x >= 0);
  }
  getLineDash(): number[] {
    return [...this.state.dash];
  }

  save(): void {
    this.stack.push({ ...this.state, dash: [...this.state.dash], matrix: [...this.state.matrix] });
    this.doc.save();
  }

  restore(): void {
    const prev = this.stack.pop();
    if (!prev) return;
    this.state = prev;
    this.doc.restore();
  }

  // --- transforms --------------------------------------------------------------------------------------
  transform(a: number, b: number, c: number, d: number, e: number, f: number): void {
    this.state.matrix = multiply(this.state.matrix, [a, b, c, d, e, f]);
    this.doc.transform(a, b, c, d, e, f);
  }
  translate(x: number, y: number): void {
    this.transform(1, 0, 0, 1, x, y);
  }
  scale(x: number, y: number): void {
    this.transform(x, 0, 0, y, 0, 0);
  }
  rotate(angle: number): void {
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    this.transform(cos, sin, -sin, cos, 0, 0);
  }
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void {
    const undo = invert(this.state.matrix);
    this.doc.transform(...undo);
    this.state.matrix = [...IDENTITY];
    this.transform(a, b, c, d, e, f);
  }
  resetTransform(): void {
    this.setTransform(1, 0, 0, 1, 0, 0);
  }

  // --- paths -------------------------------------------------------------------------------------------
  beginPath(): void {
    this.path = [];
    this.cursor = null;
  }
  closePath(): void {
    this.path.push({ op: 'Z' });
  }
  moveTo(x: number, y: number): void {
    this.path.push({ op: 'M', x, y });
    this.cursor = { x, y };
  }
  lineTo(x: number, y: number): void {
    this.path.push({ op: this.cursor ? 'L' : 'M', x, y });
    this.cursor = { x, y };
  }
  bezierCurveTo(a: number, b: number, c: number, d: number, x: number, y: number): void {
    if (!this.cursor) this.moveTo(a, b);
    this.path.push({ op: 'C', a, b, c, d, x, y });
    this.cursor = { x, y };
  }
  quadraticCurveTo(a: number, b: number, x: number, y: number): void {
    if (!this.cursor) this.moveTo(a, b);
    this.path.push({ op: 'Q', a, b, x, y });
    this.cursor = { x, y };
  }
  rect(x: number, y: number, w: number, h: number): void {
    this.path.push({ op: 'R', x, y, w, h });
    this.cursor = { x, y };
  }
  /** Circular arcs as cubic Béziers (at most 90° each). */
  arc(x: number, y: number, r: number, start: number, end: number, ccw = false): void {
    let sweep = end - start;
    if (!ccw && sweep < 0) sweep = (sweep % (2 * Math.PI)) + 2 * Math.PI;
    if (ccw && sweep > 0) sweep = (sweep % (2 * Math.PI)) - 2 * Math.PI;
    if (Math.abs(end - start) >= 2 * Math.PI) sweep = ccw ? -2 * Math.PI : 2 * Math.PI;
    const sx = x + r * Math.cos(start);
    const sy = y + r * Math.sin(start);
    if (this.cursor) this.lineTo(sx, sy);
    else this.moveTo(sx, sy);
    const n = Math.max(1, Math.ceil(Math.abs(sweep) / (Math.PI / 2)));
    const step = sweep / n;
    const k = (4 / 3) * Math.tan(step / 4);
    let a0 = start;
    for (let i = 0; i < n; i++) {
      const a1 = a0 + step;
      const [c0, s0, c1, s1] = [Math.cos(a0), Math.sin(a0), Math.cos(a1), Math.sin(a1)];
      this.bezierCurveTo(
        x + r * (c0 - k * s0),
        y + r * (s0 + k * c0),
        x + r * (c1 + k * s1),
        y + r * (s1 - k * c1),
        x + r * c1,
        y + r * s1,
      );
      a0 = a1;
    }
  }
  ellipse(
    x: number,
    y: number,
    rx: number,
    ry: number,
    rotation: number,
    start: number,
    end: number,
    ccw = false,
  ): void {
    this.save();
    this.translate(x, y);
    this.rotate(rotation);
    this.scale(rx, ry);
    this.arc(0, 0, 1, start, end, ccw);
    this.restore();
  }

  private replay(): boolean {
    if (this.path.length === 0) return false;
    for (const p of this.path) {
      if (p.op === 'M') this.doc.moveTo(p.x, p.y);
      else if (p.op === 'L') this.doc.lineTo(p.x, p.y);
      else if (p.op === 'C') this.doc.bezierCurveTo(p.a, p.b, p.c, p.d, p.x, p.y);
      else if (p.op === 'Q') this.doc.quadraticCurveTo(p.a, p.b, p.x, p.y);
      else if (p.op === 'R') this.doc.rect(p.x, p.y, p.w, p.h);
      else this.doc.closePath();
    }
    return true;
  }

  private applyStroke(): boolean {
    const { color, alpha } = parseColor(this.state.strokeStyle);
    const a = alpha * this.state.globalAlpha;
    if (a <= 0 || this.state.lineWidth <= 0) return false;
    this.doc.strokeColor(color, a).lineWidth(this.state.lineWidth).lineCap(this.state.lineCap);
    this.doc.lineJoin(this.state.lineJoin).miterLimit(this.state.miterLimit);
    const dash = this.state.dash.length % 2 ? [...this.state.dash, ...this.state.dash] : this.state.dash;
    if (dash.length && dash.some((d) => d > 0)) {
      // PDFKit's dash(length, { space }) takes one on/off pair; Chart.js styles use one pair too.
      this.doc.dash(dash[0]!, { space: dash[1] ?? dash[0]!, phase: this.state.lineDashOffset });
    } else this.doc.undash();
    return true;
  }

  fill(rule?: 'nonzero' | 'evenodd'): void {
    const { color, alpha } = parseColor(this.state.fillStyle);
    const a = alpha * this.state.globalAlpha;
    if (a <= 0 || !this.replay()) return;
    this.doc.fillColor(color, a).fill(rule === 'evenodd' ? 'even-odd' : 'non-zero');
  }

  stroke(): void {
    if (!this.applyStroke()) return;
    if (this.replay()) this.doc.stroke();
  }

  clip(rule?: 'nonzero' | 'evenodd'): void {
    if (this.replay()) this.doc.clip(rule === 'evenodd' ? 'even-odd' : 'non-zero');
  }

  fillRect(x: number, y: number, w: number, h: number): void {
    const saved = this.path;
    this.path = [{ op: 'R', x, y, w, h }];
    this.fill();
    this.path = saved;
  }

  strokeRect(x: number, y: number, w: number, h: number): void {
    const saved = this.path;
    this.path = [{ op: 'R', x, y, w, h }];
    this.stroke();
    this.path = saved;
  }

  /** The page is white already and each chart is drawn once. */
  clearRect(): void {}

  // --- text --------------------------------------------------------------------------------------------
  private useFont(): number {
    const size = Number(/(\d+(?:\.\d+)?)px/.exec(this.state.font)?.[1] ?? 10);
    const bold = /\bbold\b|\b[6-9]00\b/.test(this.state.font);
    this.doc.font(bold ? this.fonts.bold : this.fonts.regular).fontSize(size);
    return size;
  }

  measureText(text: string): {
    width: number;
    actualBoundingBoxAscent: number;
    actualBoundingBoxDescent: number;
  } {
    const size = this.useFont();
    return {
      width: this.doc.widthOfString(String(text)),
      actualBoundingBoxAscent: size * 0.75,
      actualBoundingBoxDescent: size * 0.25,
    };
  }

  fillText(text: string, x: number, y: number): void {
    const { color, alpha } = parseColor(this.state.fillStyle);
    const a = alpha * this.state.globalAlpha;
    const s = String(text);
    if (a <= 0 || s === '') return;
    this.useFont();
    const w = this.doc.widthOfString(s);
    const align = this.state.textAlign;
    const left = align === 'center' ? x - w / 2 : align === 'right' || align === 'end' ? x - w : x;
    const baseline = (
      ['top', 'middle', 'bottom', 'alphabetic', 'hanging', 'ideographic'].includes(this.state.textBaseline)
        ? this.state.textBaseline
        : 'alphabetic'
    ) as 'alphabetic';
    const { x: docX, y: docY } = this.doc;
    this.doc.fillColor(color, a).text(s, left, y, { lineBreak: false, baseline });
    this.doc.x = docX;
    this.doc.y = docY;
  }

  strokeText(text: string, x: number, y: number): void {
    this.fillText(text, x, y);
  }

  // Unused by the charts drawn here; present so Chart.js feature checks do not fail.
  drawImage(): void {}
  createLinearGradient(): { addColorStop(): void } {
    return { addColorStop() {} };
  }
  isPointInPath(): boolean {
    return false;
  }
}
