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
;; ── The raw path (RingWriter.reserveRaw / commitRaw): the predicted reserve with its cache held
  ;; here, so one call does what reserve()'s JS and the call above do together. One raw reservation
  ;; per attachment at a time (commit_last commits it). Constants as above, plus REC_HDR 8, ABS bit 27,
  ;; TYPE_SHIFT 16, state BUSY 1 / DATA 2 at bit 24, COMMIT_EVENT 1 << 16, P_COMMIT_LOCAL/REMOTE at 4/8.
  (global $wid (mut i32) (i32.const 0))
  (global $cap (mut i32) (i32.const 0))
  (global $dataOff (mut i32) (i32.const 0))
  (global $pageMask (mut i32) (i32.const 0))
  (global $owner (mut i32) (i32.const -1))
  (global $waiters0 (mut i32) (i32.const 0))
  (global $cpuStride (mut i32) (i32.const 0))
  ;; the cache: the page this attachment's raw path last reserved in (cpu -1: none)
  (global $cpu (mut i32) (i32.const -1))
  (global $bank (mut i32) (i32.const 0))
  (global $liveAt (mut i32) (i32.const -1))
  (global $resAt (mut i32) (i32.const 0))
  (global $res (mut i32) (i32.const 0))
  (global $base (mut f64) (f64.const 0))
  ;; the held reservation (rec 0: none; W0 at address 0 is the control region's magic, never busy)
  (global $lrec (mut i32) (i32.const 0))
  (global $lh0 (mut i32) (i32.const 0))
  (global $lh1 (mut i32) (i32.const 0))
  (global $lcpu (mut i32) (i32.const 0))

  ;; init(wid, cap, dataOff, pageMask, owner, waiters0, cpuStride): once per attachment.
  ;;   pageMask: ~(subbufSize - 1); waiters0: address of CPU 0's WAITERS; cpuStride: bytes per CPU block.
  (func (export "init") (param i32 i32 i32 i32 i32 i32 i32)
    (global.set $wid (local.get 0)) (global.set $cap (local.get 1)) (global.set $dataOff (local.get 2))
    (global.set $pageMask (local.get 3)) (global.set $owner (local.get 4)) (global.set $waiters0 (local.get 5))
    (global.set $cpuStride (local.get 6)))

  ;; adopt(cpu, bank, liveAt, resAt, res, base, rec, h0, h1): after a reserve done by the JS path,
  ;; hold its reservation and cache its page, so commit_last and the next reserve_raw can use them.
  (func (export "adopt") (param i32 i32 i32 i32 i32 f64 i32 i32 i32)
    (global.set $cpu (local.get 0)) (global.set $bank (local.get 1)) (global.set $liveAt (local.get 2))
    (global.set $resAt (local.get 3)) (global.set $res (local.get 4)) (global.set $base (local.get 5))
    (global.set $lrec (local.get 6)) (global.set $lh0 (local.get 7)) (global.set $lh1 (local.get 8))
    (global.set $lcpu (local.get 0)))

  ;; reserve_raw(cpu, len, type, ts) -> rec | 1 (abs) | -1 | -rec
  ;;   rec | 1: reserved at rec, with an absolute stamp (payload at rec + 16, else rec + 8); the
  ;;   reservation is now held. -1: a cache miss, a moved bank, a lost CAS or no room (nothing written;
  ;;   the cache is dropped). -rec: ABA as in reserve above (the bytes are ours, busy; the caller pads).
  (func (export "reserve_raw") (param $c i32) (param $len i32) (param $type i32) (param $ts f64) (result i32)
    (local $delta f64) (local $d i32) (local $abs i32) (local $rl i32) (local $r i32) (local $rec i32) (local $h0 i32)
    (if (i32.ne (local.get $c) (global.get $cpu)) (then (return (i32.const -1))))
    (local.set $delta (f64.sub (local.get $ts) (global.get $base)))
    (local.set $d (i32.trunc_sat_f64_s (local.get $delta)))
    ;; the delta must fit an i32 and round-trip exactly (writer.ts: abs)
    (local.set $abs (i32.or (f64.ne (f64.convert_i32_s (local.get $d)) (local.get $delta))
                            (f64.ne (f64.add (global.get $base) (f64.convert_i32_s (local.get $d))) (local.get $ts))))
    (local.set $rl (i32.and (i32.add (i32.add (i32.const 15) (i32.shl (local.get $abs) (i32.const 3))) (local.get $len)) (i32.const -8)))
    (local.set $r (global.get $res))
    (if (i32.gt_u (i32.add (i32.and (local.get $r) (i32.const 0xffff)) (local.get $rl)) (global.get $cap))
      (then (global.set $cpu (i32.const -1)) (return (i32.const -1))))
    (if (i32.ge_s (global.get $liveAt) (i32.const 0))
      (then
        (if (i32.ne (i32.atomic.load (global.get $liveAt)) (global.get $bank))
          (then (global.set $cpu (i32.const -1)) (return (i32.const -1))))))
    (if (i32.ne
          (i32.atomic.rmw.cmpxchg (global.get $resAt) (local.get $r) (i32.add (local.get $r) (local.get $rl)))
          (local.get $r))
      (then (global.set $cpu (i32.const -1)) (return (i32.const -1))))
    ;; no call and no branch back between the CAS and these stores (repair.ts says why)
    (local.set $rec (i32.add (i32.add (global.get $resAt) (i32.const 32)) (i32.and (local.get $r) (i32.const 0xffff))))
    (local.set $h0 (i32.or (i32.or (local.get $len) (i32.shl (local.get $type) (i32.const 16))) (i32.shl (local.get $abs) (i32.const 27))))
    (i32.store (local.get $rec) (i32.or (local.get $h0) (i32.const 0x01000000)))
    (i32.store offset=4 (local.get $rec) (global.get $wid))
    (if (f64.ne (f64.load offset=16 (global.get $resAt)) (global.get $base))
      (then (global.set $cpu (i32.const -1)) (return (i32.sub (i32.const 0) (local.get $rec)))))
    (global.set $res (i32.add (local.get $r) (local.get $rl)))
    (if (local.get $abs)
      (then (f64.store offset=8 (local.get $rec) (local.get $ts)) (global.set $lh1 (i32.const 0)))
      (else (global.set $lh1 (local.get $d))))
    (global.set $lrec (local.get $rec))
    (global.set $lh0 (local.get $h0))
    (global.set $lcpu (local.get $c))
    (i32.or (local.get $rec) (local.get $abs)))

  ;; commit_last() -> waiters | -1: commit the held reservation as commit does (W0 check, W1, publish
  ;; W0, count: plain for the owning CPU's actor, atomic otherwise; WAITERS load); then hold none.
  ;; It repeats commit's body instead of calling it: V8 (Node 20) does not inline Wasm calls, and the
  ;; call cost the raw path 1.41-1.44x -> 1.55-1.62x the raw ring at 16 B (4 runs each, session 4).
  (func (export "commit_last") (result i32)
    (local $rec i32) (local $h0 i32) (local $cnt i32) (local $delta i32)
    (local.set $rec (global.get $lrec))
    (local.set $h0 (global.get $lh0))
    (if (i32.ne (i32.load (local.get $rec)) (i32.or (local.get $h0) (i32.const 0x01000000)))
      (then (return (i32.const -1))))
    (global.set $lrec (i32.const 0))
    (i32.store offset=4 (local.get $rec) (global.get $lh1))
    (i32.atomic.store (local.get $rec) (i32.or (local.get $h0) (i32.const 0x02000000)))
    ;; recBytes(h0) + COMMIT_EVENT
    (local.set $delta (i32.add (i32.const 65536)
      (i32.and (i32.add (i32.add (i32.const 15) (i32.and (i32.shr_u (local.get $h0) (i32.const 24)) (i32.const 8)))
                        (i32.and (local.get $h0) (i32.const 0xffff))) (i32.const -8))))
    (local.set $cnt (i32.add (global.get $dataOff)
      (i32.and (i32.sub (local.get $rec) (global.get $dataOff)) (global.get $pageMask))))
    (if (i32.eq (global.get $lcpu) (global.get $owner))
      (then (i32.store offset=4 (local.get $cnt) (i32.add (i32.load offset=4 (local.get $cnt)) (local.get $delta))))
      (else (drop (i32.atomic.rmw.add offset=8 (local.get $cnt) (local.get $delta)))))
    (i32.atomic.load (i32.add (global.get $waiters0) (i32.mul (global.get $lcpu) (global.get $cpuStride)))))
)

