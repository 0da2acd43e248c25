export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function rate(label: string, messages: number, bytes: number, ms: number): string {
  const s = ms / 1000;
  return `${label.padEnd(34)} ${fmt(messages / s).padStart(10)} msg/s ${fmt(bytes / s / 1e6, 1).padStart(8)} MB/s  (${fmt(messages)} msgs in ${fmt(s, 2)} s)`;
}
