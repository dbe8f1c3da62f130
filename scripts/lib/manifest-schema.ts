import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import type { AppManifest } from '@microsoft/app-manifest';

type Schema = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;

/** The schema files of one Teams manifest version, as named in `@microsoft/app-manifest`. */
export type TeamsSchemaFile = 'MicrosoftTeams.schema.json' | 'MicrosoftTeams.Localization.schema.json';

/**
 * Loads a Teams schema bundled in `@microsoft/app-manifest`. Handing the schema to the validator
 * ourselves matters: given only `$schema`, it falls back to fetching it over the network.
 */
export function loadBundledTeamsSchema(manifestVersion: string, file: TeamsSchemaFile): Schema {
  const packageEntry = createRequire(import.meta.url).resolve('@microsoft/app-manifest');
  const path = join(dirname(packageEntry), 'json-schemas', 'teams', `v${manifestVersion}`, file);
  if (!existsSync(path)) {
    throw new Error(`@microsoft/app-manifest bundles no ${file} for manifest version ${manifestVersion}`);
  }
  return repairPatterns(JSON.parse(readFileSync(path, 'utf8'))) as Schema;
}

/**
 * Escapes stray `]` outside character classes. The bundled localization schemas (v1.19-v1.30) have
 * patterns like `\b]\.description` that are fine in plain JavaScript but rejected by the validator,
 * which compiles patterns in Unicode mode; outside a class both spellings match a literal `]`.
 */
export function escapeStrayBrackets(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === ']') {
      out += inClass ? ch : '\\]';
      inClass = false;
    } else {
      out += ch;
    }
  }
  return out;
}

function repairPatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repairPatterns);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === 'pattern' && typeof value === 'string') return [key, escapeStrayBrackets(value)];
      if (key === 'patternProperties' && value !== null && typeof value === 'object') {
        const repaired = Object.entries(value).map(([p, schema]) => [escapeStrayBrackets(p), repairPatterns(schema)]);
        return [key, Object.fromEntries(repaired)];
      }
      return [key, repairPatterns(value)];
    }),
  );
}

function manifestVersionOf(manifest: unknown): string {
  const version = (manifest as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (typeof version !== 'string') throw new Error('The manifest has no manifestVersion');
  return version;
}

/** Schema errors of a Teams app manifest, offline, against its own manifestVersion; empty when valid. */
export function validateTeamsManifest(manifest: unknown): Promise<string[]> {
  const schema = loadBundledTeamsSchema(manifestVersionOf(manifest), 'MicrosoftTeams.schema.json');
  return AppManifestUtils.validateAgainstSchema(manifest as AppManifest, schema);
}

/** Schema errors of a localization file for the given manifest version, offline; empty when valid. */
export function validateLocalizationFile(localization: unknown, manifestVersion: string): Promise<string[]> {
  const schema = loadBundledTeamsSchema(manifestVersion, 'MicrosoftTeams.Localization.schema.json');
  // The validator is typed for manifests but is plain JSON Schema validation underneath.
  return AppManifestUtils.validateAgainstSchema(localization as AppManifest, schema);
}
