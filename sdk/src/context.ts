// What every part that talks to the program shares: the provider (the
// connection and the wallet that signs), the program id, the Config (read
// once and cached) and the cluster clock. JobEscrowClient is a facade over
// one EscrowContext; the batch path (batch/jobs.ts) and whatever else needs
// these take the context, not the client, so nothing imports the facade
// back.
import type { Provider } from '@coral-xyz/anchor';
import { SYSVAR_CLOCK_PUBKEY, type Connection, type PublicKey } from '@solana/web3.js';
import { fetchConfig, readAccountInfo, type Config } from './accounts/index.js';
import { readI64 } from './bytes.js';
import { JOB_ESCROW_PROGRAM_ID } from './constants.js';

export class EscrowContext {
  readonly programId: PublicKey;
  private configCache?: { config: Config; at: number };

  constructor(
    readonly provider: Provider,
    programId: PublicKey = JOB_ESCROW_PROGRAM_ID,
  ) {
    this.programId = programId;
  }

  get connection(): Connection {
    return this.provider.connection;
  }

  /** The provider's wallet. */
  get wallet(): PublicKey {
    const key = this.provider.publicKey ?? this.provider.wallet?.publicKey;
    if (!key) throw new Error('the provider has no wallet');
    return key;
  }

  /**
   * The Config, cached: `refresh` re-reads it, `maxAgeMs` re-reads it once
   * the cached copy is older (a long-running server follows update_config).
   * @throws AccountNotFoundError when not initialized.
   */
  async config({ refresh = false, maxAgeMs = Infinity }: { refresh?: boolean; maxAgeMs?: number } = {}): Promise<Config> {
    if (!this.configCache || refresh || Date.now() - this.configCache.at >= maxAgeMs) {
      this.configCache = { config: await fetchConfig(this.connection, { programId: this.programId }), at: Date.now() };
    }
    return this.configCache.config;
  }

  /** The cluster's unix time, from the Clock sysvar account. */
  async clusterTime(): Promise<bigint> {
    const clock = await readAccountInfo(this.connection, SYSVAR_CLOCK_PUBKEY);
    if (!clock) throw new Error('cannot read the Clock sysvar');
    return readI64(clock.data, 32);
  }
}
