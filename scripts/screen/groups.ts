// Which upstream repository a corpus source comes from: sources of one repository share writers and templates, so
// leave-one-source-out holds them out together (otherwise a sibling source leaks the held-out style into training).
const REPOSITORY: Record<string, string> = {
  'advbench-plain': 'romanlutz/PyRIT',
  'awesome-prompts-zh': 'awesome-prompts',
}
const FAMILY = /^(garak|cse|pyrit|spikee|gpteacher|awesome-prompts)/

export function groupOf(source: string): string {
  return REPOSITORY[source] ?? FAMILY.exec(source)?.[1] ?? source
}
