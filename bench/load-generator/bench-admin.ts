/**
 * The bench's one admin account (user id above every bench user's), with a session like theirs
 * (systems.ts `sessionToken`): the receipts scenario (9) sends its notices as this admin.
 */
export const BENCH_ADMIN_USER_ID = 1_000_000;
