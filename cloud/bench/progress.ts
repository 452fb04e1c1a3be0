/** A one-line progress bar on stderr (redrawn on a terminal, a line every few seconds otherwise). */
export function progressBar(label: string, total: number): { update(done: number): void; end(): void } {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const draw = (done: number): string => {
    const f = Math.min(1, total > 0 ? done / total : 1);
    const width = 30;
    const filled = Math.round(f * width);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0)}% ${done}/${total}`;
  };
  return {
    update(done) {
      if (tty) process.stderr.write(`\r${draw(done)}`);
      else if (Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        process.stderr.write(`${draw(done)}\n`);
      }
    },
    end() {
      process.stderr.write(tty ? '\n' : '');
    },
  };
}
