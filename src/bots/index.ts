import type { Role } from '../store/bot-record.js';
import { reader } from './reader/tick.js';
import type { BotKind } from './types.js';
import { writer } from './writer/tick.js';

/** Bot kinds by role. Readers tick before writers, so writers see the tweets fetched in the same run. */
export const KINDS: Record<Role, BotKind> = { reader, writer };
export const PHASES: Role[][] = [['reader'], ['writer']];
