import { z } from 'zod';

/** Roles in rising order of access: each one can do everything the one before it can. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** User names: short, plain, case-folded, so "Ann" and "ann" are one account. */
export const UserName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores');

export const MIN_PASSWORD_LENGTH = 10;
export const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, 'must be at most 1024 characters');
