// A Wallet Standard wallet injected into the page under test (bundled by
// tests/web/pay_page.test.ts and added with page.addInitScript), as a browser
// extension wallet registers itself: `registerWallet` from
// @wallet-standard/wallet. Its key stays in Node: signAndSendTransaction
// hands the bytes to window.testWalletSignAndSend (page.exposeFunction),
// which signs with the test's keypair and sends to the bank.
import { registerWallet } from '@wallet-standard/wallet';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import bs58 from 'bs58';

declare global {
  interface Window {
    testWallet: { address: string; publicKey: number[]; decline?: boolean; calls: number };
    testWalletSignAndSend(transactionBase64: string): Promise<string>;
  }
}

const CHAIN = 'solana:localnet' as const;
const ICON = 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiPjxyZWN0IHdpZHRoPSIxIiBoZWlnaHQ9IjEiLz48L3N2Zz4=' as const;

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

class TestWallet implements Wallet {
  readonly version = '1.0.0' as const;
  readonly name = 'Test Wallet';
  readonly icon = ICON;
  readonly chains = [CHAIN];
  #accounts: WalletAccount[] = [];

  get accounts() {
    return this.#accounts;
  }

  get features() {
    return {
      'standard:connect': {
        version: '1.0.0' as const,
        connect: async () => {
          const { address, publicKey } = window.testWallet;
          this.#accounts = [{ address, publicKey: Uint8Array.from(publicKey), chains: [CHAIN], features: ['solana:signAndSendTransaction'] }];
          return { accounts: this.#accounts };
        },
      },
      'standard:events': { version: '1.0.0' as const, on: () => () => {} },
      'solana:signAndSendTransaction': {
        version: '1.0.0' as const,
        supportedTransactionVersions: ['legacy', 0] as const,
        signAndSendTransaction: async (...inputs: { transaction: Uint8Array; chain?: string }[]) => {
          window.testWallet.calls++;
          if (window.testWallet.decline) throw Object.assign(new Error('User rejected the request.'), { name: 'WalletSignTransactionError' });
          const out = [];
          for (const input of inputs) {
            if (input.chain !== CHAIN) throw new Error(`unsupported chain ${input.chain}`);
            out.push({ signature: bs58.decode(await window.testWalletSignAndSend(toBase64(input.transaction))) });
          }
          return out;
        },
      },
    };
  }
}

registerWallet(new TestWallet());
