// Test helpers of the runtime: built-in guest images read from public/guests, in Node.
import { readFileSync } from 'node:fs';
import type { ImageResolver } from '../replay.ts';

export const resolveBuiltin: ImageResolver = async (ref) => new Uint8Array(readFileSync(`public/guests/${ref.name}`));
