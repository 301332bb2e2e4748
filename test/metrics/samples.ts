/** One sample of a metric from the text format, by its labels (in the order prom-client writes them). */
export function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

/** Every sample of one metric: its label text (between the braces) and value. */
export function samplesOf(text: string, name: string): { labels: string; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => ({ labels: l.slice(name.length + 1, l.lastIndexOf('}')), value: Number(l.split(' ').at(-1)) }));
}
