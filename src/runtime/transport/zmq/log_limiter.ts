/**
 * Rate-limits a log of rejections (issue 16): at most `perWindow` lines per `windowMs`; the
 * lines dropped in a window are summed up in one line when the next window logs, so a flood of
 * bad connections or messages cannot fill a disk or drown the useful lines.
 *
 * @example
 * ```ts
 * const logRejection = rateLimitedLog((l) => console.error(l), 20, 1000);
 * logRejection('rejected a message (3 frames): bad magic');
 * ```
 */
export function rateLimitedLog(log: (line: string) => void, perWindow = 20, windowMs = 1000, now = () => Date.now()): (line: string) => void {
  let start = -Infinity;
  let used = 0;
  let dropped = 0;
  return (line: string) => {
    const t = now();
    if (t - start >= windowMs) {
      if (dropped > 0) log(`(${dropped} more rejection lines suppressed in the last ${Math.max(1, Math.round((t - start) / 1000))} s)`);
      start = t;
      used = 0;
      dropped = 0;
    }
    if (used < perWindow) {
      used++;
      log(line);
    } else dropped++;
  };
}
