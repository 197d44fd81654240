// Key secrets created or rotated in this tab, kept in memory only (gone on reload), so the playground can use a key
// the user just made without pasting it. Never written to storage.
export interface KnownSecret { id: number; name: string; secret: string }

const secrets = new Map<number, KnownSecret>();

export function rememberSecret(id: number, name: string, secret: string) {
  secrets.set(id, { id, name, secret });
}

export function knownSecrets(): KnownSecret[] {
  return [...secrets.values()].reverse();
}
