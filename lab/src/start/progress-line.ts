/** A one-line progress bar on a terminal; plain occasional lines when stderr is a file or pipe. */
export function progressLine(
  label: string,
  out: NodeJS.WriteStream = process.stderr,
): (done: number, total: number) => void {
  let lastPercent = -1;
  return (done, total) => {
    const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
    if (out.isTTY) {
      const width = 30;
      const filled = Math.round((width * percent) / 100);
      out.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% (${done}/${total})`);
      if (done >= total) out.write('\n');
    } else if (percent >= lastPercent + 25 || (done >= total && lastPercent < 100)) {
      out.write(`${label}: ${percent}% (${done}/${total})\n`);
    } else {
      return;
    }
    lastPercent = percent;
  };
}
