// Every command of the CLI, in the order the help lists them; each file
// declares its options and arguments (the help and the parser come from
// those) and what it runs.
import type { Command } from '../options.js';
import { acceptAdmin } from './accept-admin.js';
import { addJobSlots } from './add-job-slots.js';
import { balance } from './balance.js';
import { close } from './close.js';
import { collectFees } from './collect-fees.js';
import { crank } from './crank.js';
import { expirePromo } from './expire-promo.js';
import { grant } from './grant.js';
import { history } from './history.js';
import { idlFetch, idlPublish } from './idl.js';
import { initConfig } from './init-config.js';
import { jobs } from './jobs.js';
import { lock } from './lock.js';
import { nominateAdmin } from './nominate-admin.js';
import { open } from './open.js';
import { operator } from './operator.js';
import { purchase } from './purchase.js';
import { refund } from './refund.js';
import { servePay } from './serve-pay.js';
import { setSpendingLimit } from './set-spending-limit.js';
import { setUpgradeAuthority } from './set-upgrade-authority.js';
import { settle } from './settle.js';
import { topupUrl } from './topup-url.js';
import { updateConfig } from './update-config.js';
import { upgradeAuthority } from './upgrade-authority.js';
import { withdraw } from './withdraw.js';

export const COMMANDS: readonly Command[] = [
  initConfig,
  updateConfig,
  nominateAdmin,
  acceptAdmin,
  upgradeAuthority,
  setUpgradeAuthority,
  open,
  addJobSlots,
  topupUrl,
  purchase,
  lock,
  settle,
  refund,
  crank,
  jobs,
  balance,
  history,
  withdraw,
  setSpendingLimit,
  collectFees,
  close,
  grant,
  expirePromo,
  operator,
  servePay,
  idlPublish,
  idlFetch,
];
