// The security.txt embedded in the program (programs/job_escrow/src/security.rs,
// solana-security-txt's format): both built files carry it, it parses the way
// `query-security-txt` parses it (find the begin marker anywhere in the file,
// then NUL-separated name/value pairs up to the end marker), and every value
// is the one written in security.rs, read from that file here (not a copy).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROGRAM_PATH, PROGRAM_V0_PATH, ROOT } from '../shared/index.js';

const BEGIN = '=======BEGIN SECURITY.TXT V1=======\0';
const END = '=======END SECURITY.TXT V1=======\0';
/** The fields solana-security-txt's parser knows (any other is an error there). */
const KNOWN = [
  'name', 'project_url', 'contacts', 'policy', 'preferred_languages', 'encryption', 'source_code',
  'source_release', 'source_revision', 'auditors', 'acknowledgements', 'expiry',
];
const REQUIRED = ['name', 'project_url', 'contacts', 'policy'];
const CONTACT_TYPES = ['email', 'discord', 'telegram', 'twitter', 'link', 'other'];

/** The block as query-security-txt reads it: name/value pairs in file order. */
function parseSecurityTxt(file: Buffer): [string, string][] {
  const start = file.indexOf(BEGIN, 0, 'latin1');
  if (start < 0) throw new Error('no security.txt begin marker');
  // The format asks that the markers appear once (a naive parser takes the first).
  expect(file.indexOf(BEGIN, start + 1, 'latin1')).toBe(-1);
  const end = file.indexOf(END, start, 'latin1');
  if (end < 0) throw new Error('no security.txt end marker');
  const parts = file.subarray(start + BEGIN.length, end).toString('utf8').split('\0');
  // Each value ends with a NUL, so the last part (before the end marker) is empty.
  expect(parts.pop()).toBe('');
  expect(parts.length % 2).toBe(0);
  const pairs: [string, string][] = [];
  for (let i = 0; i < parts.length; i += 2) pairs.push([parts[i], parts[i + 1]]);
  return pairs;
}

/**
 * The values security.rs gives `security_txt!`, evaluated from its source:
 * string literals, `concat!(…)`, the file's own argument-less macros
 * (`repository!()`) and `env!("CARGO_PKG_VERSION")` / `env!("CARGO_PKG_NAME")`
 * (from the crate's Cargo.toml). Anything else fails, so a new kind of value
 * needs this reader taught first.
 */
function securityRsValues(): [string, string][] {
  const source = readFileSync(join(ROOT, 'programs/job_escrow/src/security.rs'), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n');
  const manifest = readFileSync(join(ROOT, 'programs/job_escrow/Cargo.toml'), 'utf8');
  const pkg = manifest.slice(manifest.indexOf('[package]'));
  const env: Record<string, string> = {
    CARGO_PKG_VERSION: /^version\s*=\s*"([^"]+)"/m.exec(pkg)![1],
    CARGO_PKG_NAME: /^name\s*=\s*"([^"]+)"/m.exec(pkg)![1],
  };
  const macros = new Map<string, string>();
  for (const m of source.matchAll(/macro_rules!\s*(\w+)\s*\{\s*\(\)\s*=>\s*\{\s*("(?:[^"\\]|\\.)*")\s*\};?\s*\}/g)) {
    macros.set(m[1], JSON.parse(m[2]));
  }
  const body = /solana_security_txt::security_txt!\s*\{([\s\S]*)\}\s*$/.exec(source.trim());
  if (!body) throw new Error('security.rs: no `solana_security_txt::security_txt! { … }` at the end');

  const text = body[1];
  let pos = 0;
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const fail = (what: string): never => {
    throw new Error(`security.rs: ${what} at "${text.slice(pos, pos + 40)}"`);
  };
  const expr = (): string => {
    skip();
    if (text[pos] === '"') {
      const m = /^"((?:[^"\\]|\\.)*)"/.exec(text.slice(pos)) ?? fail('unterminated string');
      pos += m[0].length;
      if (/\\(?![\\"n])/.test(m[1])) fail('an escape this reader does not know');
      return m[1].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const name = /^(\w+)!\s*\(/.exec(text.slice(pos)) ?? fail('a value that is not a string literal or macro call');
    pos += name[0].length;
    const args: string[] = [];
    for (skip(); text[pos] !== ')'; skip()) {
      args.push(expr());
      skip();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== ')') fail('expected , or )');
    }
    pos++;
    const macro = name[1];
    if (macro === 'concat') return args.join('');
    if (macro === 'env') return env[args[0]] ?? fail(`env!("${args[0]}") unknown here`);
    if (args.length === 0 && macros.has(macro)) return macros.get(macro)!;
    return fail(`unknown macro ${macro}!`);
  };
  const fields: [string, string][] = [];
  for (skip(); pos < text.length; skip()) {
    const key = /^(\w+)\s*:/.exec(text.slice(pos)) ?? fail('expected `name:`');
    pos += key[0].length;
    fields.push([key[1], expr()]);
    skip();
    if (text[pos] === ',') pos++;
    else if (pos < text.length) fail('expected ,');
  }
  return fields;
}

describe('security.txt', () => {
  const expected = securityRsValues();
  const values = Object.fromEntries(expected);

  it('security.rs names the fields SECURITY.md and docs/verify.md describe, with the repository URL they give', () => {
    // Required fields, the optional ones this project fills, no revision (the bytes would depend on the environment)
    expect(expected.map(([k]) => k)).toEqual([
      'name', 'project_url', 'contacts', 'policy', 'preferred_languages', 'source_code', 'source_release', 'auditors',
    ]);
    expect(values.name).toBe('job_escrow');
    expect(values.auditors).toBe('None');
    expect(values.source_release).toMatch(/^v\d+\.\d+\.\d+/);
    for (const [, v] of expected) expect(v).not.toContain('\0');
    for (const contact of values.contacts.split(',')) {
      expect(CONTACT_TYPES).toContain(contact.split(':')[0].trim().toLowerCase());
    }
    // The one placeholder URL is the one the documents tell a deployer to change
    const securityMd = readFileSync(join(ROOT, 'SECURITY.md'), 'utf8');
    const verifyMd = readFileSync(join(ROOT, 'docs/verify.md'), 'utf8');
    expect(values.policy).toBe(`${values.project_url}/blob/main/SECURITY.md`);
    for (const doc of [securityMd, verifyMd]) {
      expect(doc).toContain(values.project_url);
      expect(doc).toContain('programs/job_escrow/src/security.rs');
    }
    expect(securityMd).toContain(values.contacts.replace(/^link:/, ''));
  });

  for (const [label, path] of [
    ['v3 (target/deploy)', PROGRAM_PATH],
    ['v0 (target/sbpf-v0)', PROGRAM_V0_PATH],
  ] as const) {
    it(`the ${label} file carries it, as query-security-txt parses it, with security.rs's values`, () => {
      const pairs = parseSecurityTxt(readFileSync(path));
      const names = pairs.map(([k]) => k);
      expect(new Set(names).size).toBe(names.length); // no duplicate field
      for (const k of names) expect(KNOWN).toContain(k);
      for (const k of REQUIRED) expect(names).toContain(k);
      expect(pairs).toEqual(expected);
    });
  }
});
