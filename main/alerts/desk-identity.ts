import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { desk as deskSchema, type Desk } from '../../common/alerts.js';
import { writeFileAtomic } from '../cursor/atomic-file.js';

/**
 * This installation's desk: a random id made at its first start and kept in the user data
 * folder (`desk.json`), so every receipt from here names the same desk across restarts and
 * sign-ins, with the computer's name as the human one ("NURSES-STATION-PC") until someone names
 * it in Settings ("Nurses' station PC"). Receipts from two installations are two desks.
 */
export async function loadDeskIdentity(
  dataDirectory: string,
  computerName = hostname(),
): Promise<Desk> {
  const path = deskPath(dataDirectory);
  try {
    const parsed = deskSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // No file yet, or one that is not ours: make a new identity.
  }
  const desk: Desk = {
    id: randomUUID(),
    name: deskSchema.shape.name.safeParse(computerName).data ?? 'ClinicPulse desktop',
  };
  await writeFileAtomic(path, JSON.stringify(desk, null, 2));
  return desk;
}

/** The name staff give the desk in Settings; the id stays, so its receipts stay one desk's. */
export async function renameDeskIdentity(dataDirectory: string, name: string): Promise<Desk> {
  const desk: Desk = {
    id: (await loadDeskIdentity(dataDirectory)).id,
    name: deskSchema.shape.name.parse(name),
  };
  await writeFileAtomic(deskPath(dataDirectory), JSON.stringify(desk, null, 2));
  return desk;
}

function deskPath(dataDirectory: string): string {
  return join(dataDirectory, 'desk.json');
}
