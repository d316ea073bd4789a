// The shift's outbox: street contacts kept on this phone (IndexedDB) until the server has them.
//
// Each item is kept under its idempotency key, so sending one again can never make a
// second contact. Items leave the outbox only when the server has saved them, or
// when the worker deletes one the server turned down.

const DB_NAME = "waymark-shift";
const DB_VERSION = 1;
const STORE = "outbox";

export const WAITING = "waiting";
export const ATTENTION = "attention";

let opening = null;

export function available() {
  return typeof indexedDB !== "undefined";
}

export function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  // Older browsers: a version 4 UUID from the same random source.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function database() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: "key" });
        store.createIndex("created", "created");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("The outbox is open in an older version of this page."));
    });
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

// Run `work(store)` in one transaction; resolves when the transaction has committed,
// so a caller never reports "saved" for something that was not written.
async function transact(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("The outbox write was abandoned."));
    const request = work(tx.objectStore(STORE));
    if (request) {
      request.onsuccess = () => {
        result = request.result;
      };
    }
  });
}

export function add(item) {
  return transact("readwrite", (store) => store.add(item));
}

// Put a fixed contact in place of the one the server turned down, in one step.
export function replace(oldKey, item) {
  return transact("readwrite", (store) => {
    store.delete(oldKey);
    return store.add(item);
  });
}

export function remove(key) {
  return transact("readwrite", (store) => store.delete(key));
}

export function get(key) {
  return transact("readonly", (store) => store.get(key));
}

export async function update(key, changes) {
  return transact("readwrite", (store) => {
    const request = store.get(key);
    request.onsuccess = () => {
      if (request.result) store.put({ ...request.result, ...changes });
    };
    return null;
  });
}

// Every item, oldest first: the order they are sent in.
export function all() {
  return transact("readonly", (store) => store.index("created").getAll());
}
