// Entry ids: 10 characters of Crockford base32 (50 random bits), easy to type as a prefix.

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export function newEntryId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return id;
}
