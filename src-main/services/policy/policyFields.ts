// Each policy key as a platform sees it (a registry value kind, an ADMX element, a plist type), read from
// the zod schema itself through its JSON Schema, so the templates and the registry reader cannot drift
// from what the loader validates.
import { z } from 'zod';
import { POLICY_KEYS, policySchema, type PolicyKey } from './policySchema';

export type FieldKind =
  | { kind: 'boolean' }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'string'; maxLength: number }
  | { kind: 'enum'; values: string[] }
  /** A list of short strings (ADMX <list>: one registry value per item under a subkey). */
  | { kind: 'list' }
  /** Structured data given as JSON text (ADMX <multiText>, REG_MULTI_SZ lines joined). */
  | { kind: 'json' };

export type PolicyField = FieldKind & { key: PolicyKey; description: string };

interface JsonSchemaProp {
  type?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  enum?: string[];
  items?: { type?: string };
}

export function policyFields(): PolicyField[] {
  const props = (z.toJSONSchema(policySchema, { io: 'input' }) as { properties: Record<string, JsonSchemaProp> }).properties;
  return POLICY_KEYS.map((key) => {
    const p = props[key]!;
    const description = p.description ?? key;
    if (p.type === 'boolean') return { key, description, kind: 'boolean' };
    if (p.type === 'integer') return { key, description, kind: 'integer', min: p.minimum ?? 0, max: p.maximum ?? 2 ** 31 - 1 };
    if (p.enum) return { key, description, kind: 'enum', values: p.enum };
    if (p.type === 'string') return { key, description, kind: 'string', maxLength: p.maxLength ?? 1024 };
    if (p.type === 'array' && p.items?.type === 'string') return { key, description, kind: 'list' };
    if (p.type === 'array') return { key, description, kind: 'json' };
    throw new Error(`policy key ${key}: no platform form for JSON Schema type ${p.type}`);
  });
}
