// Every migration, in order. Add new ones at the end with a higher number (0020, 0030, ...).
import { migration0010 } from './0010-initial';
import { migration0020 } from './0020-study-search';
import { migration0030 } from './0030-annotations';
import { migration0040 } from './0040-settings';
import { migration0050 } from './0050-audit-chain';
import { migration0060 } from './0060-users';
import { migration0065 } from './0065-study-restrictions';
import type { Migration } from './migration';

export const MIGRATIONS: readonly Migration[] = [migration0010, migration0020, migration0030, migration0040, migration0050, migration0060, migration0065];
