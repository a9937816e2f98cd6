import type { Address, FixedSizeDecoder } from '@solana/kit';
import { PROGRAM_ADDRESS } from '../core/constants.js';
import { programDataPayloads } from '../core/logs.js';
import {
  getConfigUpdatedDecoder,
  getCreditAccountOpenedDecoder,
  getCreditsPurchasedDecoder,
  getJobLockedDecoder,
  getJobSettledDecoder,
  getJobRefundedDecoder,
  getCreditsWithdrawnDecoder,
  getFeesCollectedDecoder,
  getSpendingLimitSetDecoder,
  getCreditAccountClosedDecoder,
  getCreditsGrantedDecoder,
  getPromoExpiredDecoder,
  getJobSlotsAddedDecoder,
  type ConfigUpdated,
  type CreditAccountOpened,
  type CreditsPurchased,
  type JobLocked,
  type JobSettled,
  type JobRefunded,
  type CreditsWithdrawn,
  type FeesCollected,
  type SpendingLimitSet,
  type CreditAccountClosed,
  type CreditsGranted,
  type PromoExpired,
  type JobSlotsAdded,
} from './generated/index.js';

/** An event of the program, named as the IDL names it, decoded by the generated codecs. */
export type KitJobEscrowEvent =
  | { name: 'ConfigUpdated'; data: ConfigUpdated }
  | { name: 'CreditAccountOpened'; data: CreditAccountOpened }
  | { name: 'CreditsPurchased'; data: CreditsPurchased }
  | { name: 'JobLocked'; data: JobLocked }
  | { name: 'JobSettled'; data: JobSettled }
  | { name: 'JobRefunded'; data: JobRefunded }
  | { name: 'CreditsWithdrawn'; data: CreditsWithdrawn }
  | { name: 'FeesCollected'; data: FeesCollected }
  | { name: 'SpendingLimitSet'; data: SpendingLimitSet }
  | { name: 'CreditAccountClosed'; data: CreditAccountClosed }
  | { name: 'CreditsGranted'; data: CreditsGranted }
  | { name: 'PromoExpired'; data: PromoExpired }
  | { name: 'JobSlotsAdded'; data: JobSlotsAdded };

/**
 * Every event's generated decoder (each checks its 8-byte discriminator and
 * fails on another's); tests/kit checks this covers the IDL's events.
 */
const DECODERS: { [E in KitJobEscrowEvent as E['name']]: FixedSizeDecoder<E['data']> } = {
  ConfigUpdated: getConfigUpdatedDecoder(),
  CreditAccountOpened: getCreditAccountOpenedDecoder(),
  CreditsPurchased: getCreditsPurchasedDecoder(),
  JobLocked: getJobLockedDecoder(),
  JobSettled: getJobSettledDecoder(),
  JobRefunded: getJobRefundedDecoder(),
  CreditsWithdrawn: getCreditsWithdrawnDecoder(),
  FeesCollected: getFeesCollectedDecoder(),
  SpendingLimitSet: getSpendingLimitSetDecoder(),
  CreditAccountClosed: getCreditAccountClosedDecoder(),
  CreditsGranted: getCreditsGrantedDecoder(),
  PromoExpired: getPromoExpiredDecoder(),
  JobSlotsAdded: getJobSlotsAddedDecoder(),
};

/** The event names the Kit client decodes. */
export const KIT_EVENT_NAMES = Object.keys(DECODERS) as KitJobEscrowEvent['name'][];

/**
 * Decodes the program's events from transaction logs, in order: each
 * "Program data:" line logged while `programAddress` was executing (the same
 * walk as the Anchor SDK's `parseEvents`). Lines that are no event of this
 * program are skipped.
 */
export function parseEvents(logs: readonly string[], { programAddress = PROGRAM_ADDRESS as Address }: { programAddress?: Address } = {}): KitJobEscrowEvent[] {
  const events: KitJobEscrowEvent[] = [];
  for (const payload of programDataPayloads(logs, programAddress)) {
    for (const [name, decoder] of Object.entries(DECODERS) as [KitJobEscrowEvent['name'], FixedSizeDecoder<unknown>][]) {
      if (payload.length !== decoder.fixedSize) continue;
      try {
        events.push({ name, data: decoder.decode(payload) } as KitJobEscrowEvent);
        break;
      } catch {
        // another event's discriminator
      }
    }
  }
  return events;
}
