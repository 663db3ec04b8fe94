/* Kiosk queue: completed questionnaires kept on the tablet until the server acknowledges them.

   IndexedDB database "kiosk": store "keys" holds the device key, an AES-GCM 256-bit WebCrypto
   key made here as non-extractable (scripts may use it, nobody can read it); store "queue"
   holds one record per questionnaire: its submission id and centre code in clear, the rest
   encrypted under the device key with a random 96-bit IV and the id as additional data. */
window.KioskQueue = (function () {
  "use strict";

  var DB_NAME = "kiosk";
  var QUEUE = "queue";
  var KEYS = "keys";

  function openDatabase() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(KEYS);
        request.result.createObjectStore(QUEUE, {keyPath: "id"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  var database = null;  /* opened on first use */

  function transact(store, mode, work) {
    database = database || openDatabase();
    return database.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var request = work(transaction.objectStore(store));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
        transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function deviceKey() {
    return transact(KEYS, "readonly", function (s) { return s.get("device"); }).then(function (key) {
      if (key) { return key; }
      return crypto.subtle.generateKey({name: "AES-GCM", length: 256}, false, ["encrypt", "decrypt"])
        .then(function (fresh) {
          /* add, not put: when two tabs make a key at once, the first one stored is the key */
          return transact(KEYS, "readwrite", function (s) { return s.add(fresh, "device"); })
            .then(function () { return fresh; }, function () {
              return transact(KEYS, "readonly", function (s) { return s.get("device"); });
            });
        });
    });
  }

  function bytes(text) { return new TextEncoder().encode(text); }

  function enqueue(submission, centre) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return deviceKey().then(function (key) {
      return crypto.subtle.encrypt({name: "AES-GCM", iv: iv, additionalData: bytes(submission.id)}, key,
                                   bytes(JSON.stringify(submission)));
    }).then(function (data) {
      return transact(QUEUE, "readwrite", function (s) {
        return s.put({id: submission.id, centre: centre, iv: iv, data: data});
      });
    });
  }

  function decrypt(record) {
    return deviceKey().then(function (key) {
      return crypto.subtle.decrypt({name: "AES-GCM", iv: record.iv, additionalData: bytes(record.id)}, key, record.data);
    }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  function waiting(centre) {
    return transact(QUEUE, "readonly", function (s) { return s.getAll(); }).then(function (records) {
      return records.filter(function (record) { return record.centre === centre; });
    });
  }

  function remove(id) {
    return transact(QUEUE, "readwrite", function (s) { return s.delete(id); });
  }

  return {enqueue: enqueue, decrypt: decrypt, waiting: waiting, remove: remove};
}());
