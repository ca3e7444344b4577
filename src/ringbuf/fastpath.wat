;; The ring writer's fast path (src/ringbuf/writer.ts): the atomic section of a predicted reserve,
;; and a commit. One call from JS runs what were three or four Atomics builtin calls (src/shm/wasm.ts
;; says why). Addresses are byte addresses in the ring's memory (control region at 0, pages from
;; the handle's dataOffset). Constants mirror src/ringbuf/layout.ts: PAGE_HDR 32, OFF_MASK 0xffff,
;; BASE_TS at page byte 16. The word-by-word ordering argument is the one in docs/ringbuf.md.
(module
  (import "env" "mem" (memory 1 32768 shared))

  ;; reserve(liveAt, bank, resAt, r, len, busy, wid, base) -> rec | -1 | -rec
  ;;   liveAt: C_LIVE's address, or -1 for a ring without a spare (then bank is 0).
  ;;   Checks the live bank, CASes RES (at resAt, the page's first byte) from r to r + len, and on
  ;;   success stores the busy header word and the writer id. -1: the bank moved or the CAS lost
  ;;   (nothing written). -rec: ABA, the page's BASE_TS is no longer `base` (the record's bytes are
  ;;   ours, busy; the caller turns them into padding). rec: the record's address.
  (func (export "reserve")
    (param $liveAt i32) (param $bank i32) (param $resAt i32) (param $r i32) (param $len i32)
    (param $busy i32) (param $wid i32) (param $base f64) (result i32)
    (local $rec i32)
    (if (i32.ge_s (local.get $liveAt) (i32.const 0))
      (then
        (if (i32.ne (i32.atomic.load (local.get $liveAt)) (local.get $bank))
          (then (return (i32.const -1))))))
    (if (i32.ne
          (i32.atomic.rmw.cmpxchg (local.get $resAt) (local.get $r) (i32.add (local.get $r) (local.get $len)))
          (local.get $r))
      (then (return (i32.const -1))))
    ;; no call and no branch back between the CAS and these stores (repair.ts says why)
    (local.set $rec (i32.add (i32.add (local.get $resAt) (i32.const 32)) (i32.and (local.get $r) (i32.const 0xffff))))
    (i32.store (local.get $rec) (local.get $busy))
    (i32.store offset=4 (local.get $rec) (local.get $wid))
    (if (f64.ne (f64.load offset=16 (local.get $resAt)) (local.get $base))
      (then (return (i32.sub (i32.const 0) (local.get $rec)))))
    (local.get $rec))

  ;; commit(rec, busy, h1, data, countAt, delta, remote, waitersAt) -> waiters | -1
  ;;   -1: the record's W0 is not `busy` (committed twice, or repaired); nothing written.
  ;;   Otherwise stores W1, publishes W0 = data, adds delta to the page's commit count at countAt
  ;;   (a plain add for the owning CPU's actor, an atomic one from anywhere else) and returns the
  ;;   CPU's WAITERS word (the Dekker load: nonzero means a reader asked to be woken).
  (func (export "commit")
    (param $rec i32) (param $busy i32) (param $h1 i32) (param $data i32) (param $countAt i32)
    (param $delta i32) (param $remote i32) (param $waitersAt i32) (result i32)
    (if (i32.ne (i32.load (local.get $rec)) (local.get $busy))
      (then (return (i32.const -1))))
    (i32.store offset=4 (local.get $rec) (local.get $h1))
    (i32.atomic.store (local.get $rec) (local.get $data))
    (if (local.get $remote)
      (then (drop (i32.atomic.rmw.add (local.get $countAt) (local.get $delta))))
      (else (i32.store (local.get $countAt) (i32.add (i32.load (local.get $countAt)) (local.get $delta)))))
    (i32.atomic.load (local.get $waitersAt)))
)
