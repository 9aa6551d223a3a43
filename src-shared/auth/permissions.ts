// Who may do what: the roles Enclave knows and the permission matrix main enforces on every IPC request and
// every pixel request (DESIGN.md section 2). The renderer reads the same table only to hide what it cannot do.
// Pure data: the policy's role lists, the settings screen and the tests all read these names.

export const ROLES = ['admin', 'radiologist', 'physician', 'technologist', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  radiologist: 'Radiologist',
  physician: 'Physician (review)',
  technologist: 'Technologist',
  auditor: 'Auditor',
};

export const PERMISSIONS = [
  'view',
  'annotate',
  'import',
  'export',
  'deidentify',
  'purge',
  'manageUsers',
  'readAudit',
  'changeSettings',
  'breakGlass',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * The matrix. An auditor reads the trail but not images (break-glass grants view for a time); a technologist
 * acquires and imports but does not send images out; only an administrator manages users and settings.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  radiologist: ['view', 'annotate', 'import', 'export', 'deidentify', 'breakGlass'],
  physician: ['view', 'annotate', 'import', 'export', 'breakGlass'],
  technologist: ['view', 'annotate', 'import', 'deidentify', 'breakGlass'],
  auditor: ['readAudit', 'breakGlass'],
};

/** What emergency access adds to a role for its duration: the rights to see images, nothing administrative. */
export const BREAK_GLASS_GRANTS: readonly Permission[] = ['view'];

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

export function permissionsOf(role: Role, breakGlass: boolean): Permission[] {
  const own = new Set<Permission>(ROLE_PERMISSIONS[role]);
  if (breakGlass) for (const p of BREAK_GLASS_GRANTS) own.add(p);
  return PERMISSIONS.filter((p) => own.has(p));
}
