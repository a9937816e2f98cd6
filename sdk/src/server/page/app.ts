// The top-up page's browser code (bundled by tsup into dist/topup-page.js,
// served as /topup.js). It talks only to the page's own server (the CSP
// allows nothing else): /api/topup for an offer, /api/pay to build the
// purchase a connected wallet signs, /api/status to watch the offer's
// reference, /api/balance. Browser wallets are found through the Wallet
// Standard (@wallet-standard/app); the amount rule is the SDK's own
// parseTopUpCredits, so page and server refuse the same input.
import { SolanaSignAndSendTransaction, type SolanaSignAndSendTransactionFeature } from '@solana/wallet-standard-features';
import { getWallets } from '@wallet-standard/app';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import { StandardConnect, type StandardConnectFeature } from '@wallet-standard/features';
import { parseTopUpCredits } from '../../core/topUp.js';
import type { PageConfig } from './html.js';

interface Offer {
  owner: string;
  credits: string;
  usdc: string;
  reference: string;
  open: boolean;
  transactionUrl: string;
  transactionQr: string;
  transferUrl?: string;
  transferQr?: string;
}
interface Balance {
  available: string;
  locked: string;
  usdc: string;
  /** The owner's spending limit ("0": none). */
  maxCreditsPerJob: string;
  dailyLimitCredits: string;
}
type Status = ({ status: 'pending' } | { status: 'invalid'; message: string; signature: string } | ({ status: 'received'; credits: string; signature: string } & Balance));

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const config = JSON.parse($('config').textContent!) as PageConfig;
const limits = { minPurchaseCredits: BigInt(config.minCredits), maxPurchaseCredits: BigInt(config.maxCredits), pricePerCredit: BigInt(config.pricePerCredit) };
/** Status polling: first after 1 s, then 1.5× slower up to 10 s; gives up after 15 minutes. Paused while the tab is hidden. */
const POLL = { first: 1_000, factor: 1.5, max: 10_000, giveUpMs: 15 * 60_000 };

let owner: string | null = new URLSearchParams(location.search).get('owner');
let connected: { wallet: Wallet; account: WalletAccount } | null = null;
let offer: Offer | null = null;
/** Bumped by every change: answers to older requests are dropped. */
let generation = 0;
let pollTimer: ReturnType<typeof setTimeout> | undefined;

function setStatus(text: string, kind: '' | 'ok' | 'bad' = '') {
  const el = $('status');
  el.textContent = text;
  el.className = `status ${kind}`.trim();
}

async function getJson<T>(url: string, init?: RequestInit): Promise<{ ok: boolean; body: T & { message?: string } }> {
  const res = await fetch(url, { ...init, headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) } });
  return { ok: res.ok, body: (await res.json()) as T & { message?: string } };
}

// ---- balance -------------------------------------------------------------

function showBalance(b: Balance) {
  $('available').textContent = b.available;
  $('locked').textContent = b.locked;
  $('usdc').textContent = b.usdc;
  $('balance').hidden = false;
  const limits = [b.maxCreditsPerJob !== '0' ? `${b.maxCreditsPerJob} credits per job` : '', b.dailyLimitCredits !== '0' ? `${b.dailyLimitCredits} credits per day` : ''].filter(Boolean);
  $('limit').textContent = limits.length ? `Spending limit: ${limits.join(', ')}.` : 'No spending limit set.';
  $('limit').hidden = false;
}

async function refreshBalance() {
  if (!owner) return;
  try {
    const { ok, body } = await getJson<Balance>(`/api/balance?owner=${encodeURIComponent(owner)}`);
    if (ok) showBalance(body);
  } catch {
    /* keep what is shown; the next visit refreshes */
  }
}

function showOwner() {
  $('owner-line').hidden = !owner;
  $('owner').textContent = owner ?? '';
  $('no-owner').hidden = !!owner;
}

// ---- the offer -------------------------------------------------------------

/** Forgets the offer: no QR, link or price stays on screen, and its watch stops. */
function clearOffer() {
  generation++;
  offer = null;
  clearTimeout(pollTimer);
  $('pay').hidden = true;
  $('price').textContent = '';
  for (const id of ['request-qr', 'transfer-qr']) $<HTMLImageElement>(id).removeAttribute('src');
  for (const id of ['request-link', 'transfer-link']) $<HTMLAnchorElement>(id).href = '#';
}

function inputError(message: string) {
  clearOffer();
  $('input-error').textContent = message;
  $('credits').setAttribute('aria-invalid', message ? 'true' : 'false');
}

function pressPreset(value: string | null) {
  for (const b of $('presets').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.credits === value));
}

async function choose(text: string) {
  inputError('');
  let credits: bigint;
  try {
    credits = parseTopUpCredits(text, limits).credits;
  } catch (err) {
    inputError((err as Error).message);
    return;
  }
  if (!owner) {
    inputError('Connect a wallet first, or open this page from your app’s top-up link.');
    return;
  }
  const mine = generation;
  setStatus('');
  let answer: Awaited<ReturnType<typeof getJson<Offer>>>;
  try {
    answer = await getJson<Offer>(`/api/topup?owner=${encodeURIComponent(owner)}&credits=${credits}`);
  } catch {
    if (mine === generation) inputError('The server could not be reached. Check your connection and try again.');
    return;
  }
  if (mine !== generation) return; // the input changed meanwhile
  if (!answer.ok) {
    inputError(answer.body.message ?? 'That amount cannot be bought.');
    return;
  }
  showOffer({ ...answer.body, owner });
}

function showOffer(o: Offer) {
  offer = o;
  $('price').textContent = `${o.usdc} USDC for ${o.credits} credits`;
  $('buy').textContent = `Buy ${o.credits} credits for ${o.usdc} USDC`;
  $('wallet-pay').hidden = !connected;
  $('mobile-pay').hidden = !!connected;
  $<HTMLAnchorElement>('request-link').href = o.transactionUrl;
  $<HTMLImageElement>('request-qr').src = o.transactionQr;
  $('transfer-open').hidden = !o.open;
  $('transfer-closed').hidden = o.open;
  if (o.open) {
    $<HTMLAnchorElement>('transfer-link').href = o.transferUrl!;
    $<HTMLImageElement>('transfer-qr').src = o.transferQr!;
  }
  $('pay').hidden = false;
  // On a phone the offer is below the amounts: bring its first button into view.
  ($('wallet-pay').hidden ? $('request-link') : $('buy')).scrollIntoView({ block: 'nearest' });
  watch(o, generation);
}

// ---- watching the reference ----------------------------------------------------

function watch(o: Offer, mine: number) {
  const started = Date.now();
  let delay = POLL.first;
  const tick = async () => {
    if (mine !== generation) return;
    if (document.hidden) return; // resumed by the visibilitychange handler
    let answer: Status | undefined;
    try {
      answer = (await getJson<Status>(`/api/status?owner=${encodeURIComponent(o.owner)}&reference=${o.reference}&credits=${o.credits}`)).body;
    } catch {
      /* a dropped request: ask again later */
    }
    if (mine !== generation) return;
    if (answer?.status === 'received') {
      clearOffer();
      showBalance(answer);
      setStatus(`Received ${answer.credits} credits. Your balance is now ${answer.available} credits.`, 'ok');
      $('status').scrollIntoView({ block: 'nearest' });
      return;
    }
    if (answer?.status === 'invalid') {
      clearOffer();
      setStatus(`A payment arrived but is not this top-up (${answer.message}). Contact support with transaction ${answer.signature}.`, 'bad');
      return;
    }
    if (Date.now() - started > POLL.giveUpMs) {
      setStatus('No payment seen for 15 minutes. If you paid, reload the page to see your balance.');
      return;
    }
    delay = Math.min(delay * POLL.factor, POLL.max);
    pollTimer = setTimeout(tick, delay);
  };
  resumeWatch = () => {
    clearTimeout(pollTimer);
    delay = POLL.first;
    pollTimer = setTimeout(tick, 0);
  };
  pollTimer = setTimeout(tick, delay);
}
let resumeWatch: () => void = () => {};

document.addEventListener('visibilitychange', () => {
  if (document.hidden) return;
  void refreshBalance();
  if (offer) resumeWatch();
});

// ---- browser wallets (Wallet Standard) --------------------------------------------

type UsableWallet = Wallet & { features: StandardConnectFeature & SolanaSignAndSendTransactionFeature };

const wallets = getWallets();
const usable = (): UsableWallet[] =>
  wallets.get().filter((w): w is UsableWallet => StandardConnect in w.features && SolanaSignAndSendTransaction in w.features && w.chains.some((c) => c === config.chain));

function renderWallets() {
  const list = usable();
  $('connect').hidden = list.length === 0 || !!connected;
  showOwner();
}

async function connect(wallet: UsableWallet) {
  setStatus(`Connecting to ${wallet.name}…`);
  try {
    const { accounts } = await wallet.features[StandardConnect].connect();
    const account = accounts.find((a) => a.chains.some((c) => c === config.chain)) ?? accounts[0];
    if (!account) throw new Error('the wallet shared no account');
    connected = { wallet, account };
    owner = account.address;
    history.replaceState(null, '', `?owner=${owner}`);
    $('wallet-list').hidden = true;
    renderWallets();
    setStatus(`Connected: ${wallet.name}.`, 'ok');
    await refreshBalance();
    const pressed = $('presets').querySelector<HTMLButtonElement>('button[aria-pressed="true"]')?.dataset.credits;
    const typed = $<HTMLInputElement>('credits').value;
    if (pressed || typed) await choose(pressed ?? typed);
  } catch (err) {
    setStatus(`${wallet.name} did not connect: ${walletError(err)}`, 'bad');
  }
}

function walletError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return /reject|denied|declin|cancel/i.test(text) ? 'you declined in the wallet. Nothing was charged.' : (err as Error)?.message ?? text;
}

$('connect').addEventListener('click', () => {
  const list = usable();
  if (list.length === 1) return void connect(list[0]);
  const ul = $('wallet-list');
  ul.replaceChildren(
    ...list.map((w) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      const icon = document.createElement('img');
      icon.src = w.icon;
      icon.alt = '';
      b.append(icon, w.name);
      b.addEventListener('click', () => void connect(w));
      li.append(b);
      return li;
    }),
  );
  ul.hidden = false;
  ul.querySelector('button')?.focus();
});

$('buy').addEventListener('click', async () => {
  if (!offer || !connected) return;
  const o = offer;
  const button = $<HTMLButtonElement>('buy');
  button.disabled = true;
  try {
    setStatus('Preparing the transaction…');
    const built = await getJson<{ transaction: string }>(`/api/pay?credits=${o.credits}&reference=${o.reference}`, { method: 'POST', body: JSON.stringify({ account: connected.account.address }) });
    if (!built.ok) throw new Error(built.body.message ?? 'the server could not build the purchase');
    const transaction = Uint8Array.from(atob(built.body.transaction), (c) => c.charCodeAt(0));
    setStatus(`Approve the payment in ${connected.wallet.name}…`);
    await (connected.wallet as UsableWallet).features[SolanaSignAndSendTransaction].signAndSendTransaction({ account: connected.account, chain: config.chain as `${string}:${string}`, transaction });
    if (offer === o) {
      setStatus('Payment sent. Waiting for the network to confirm it…');
      resumeWatch();
    }
  } catch (err) {
    setStatus(`The payment did not go through: ${walletError(err)}`, 'bad');
  } finally {
    button.disabled = false;
  }
});

// ---- amounts -------------------------------------------------------------------

function renderPresets() {
  const candidates = [limits.minPurchaseCredits, 500n, 1_000n, 2_500n, 10_000n].filter((c) => c >= limits.minPurchaseCredits && c <= limits.maxPurchaseCredits);
  const presets = [...new Set(candidates)].slice(0, 4);
  $('presets').replaceChildren(
    ...presets.map((credits) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.credits = String(credits);
      b.setAttribute('aria-pressed', 'false');
      b.textContent = `${credits} credits`;
      b.addEventListener('click', () => {
        $<HTMLInputElement>('credits').value = '';
        pressPreset(String(credits));
        void choose(String(credits));
      });
      return b;
    }),
  );
  $('limits').textContent = `${limits.minPurchaseCredits} to ${limits.maxPurchaseCredits} credits; 1 credit = ${Number(limits.pricePerCredit) / 1e6} USDC`;
}

$<HTMLInputElement>('credits').addEventListener('input', () => {
  pressPreset(null);
  inputError('');
  setStatus('');
});
$('amount-form').addEventListener('submit', (e) => {
  e.preventDefault();
  pressPreset(null);
  void choose($<HTMLInputElement>('credits').value);
});

renderPresets();
renderWallets();
wallets.on('register', renderWallets);
wallets.on('unregister', renderWallets);
void refreshBalance();
