;; The user-interrupt hot paths (src/uintr/sender.ts senduipi, src/uintr/receiver.ts poll) as
;; i32.atomic.* instructions on the table's shared memory: the same words, the same operations, in
;; the same order as the JS code, one call instead of two to five Atomics builtin calls
;; (src/shm/wasm.ts says why). The handler call and every UIF write stay in JS. Addresses are byte
;; addresses; offsets mirror src/uintr/layout.ts (version 4): UPID entry of 128 bytes, status at 0
;; (ON 1, SN 2, UW 4), PIR_LO at 16, PIR_HI at 20, life at 64 (bit 0 alive, generation in bits
;; 16..31); UITT entry: flags at 0 (bit 0 valid, vector in bits 8..13), UPID index at 4, generation
;; at 8. The ordering argument (P before C; ON cleared before the PIR words are taken) is in
;; sender.ts, receiver.ts and wait.ts.
(module
  (import "env" "mem" (memory 1 32768 shared))

  ;; poll's word values between calls (hi, lo in receiver.ts): the instance is per thread, and JS
  ;; never runs a second poll of this instance while one is delivering (a nested poll from inside a
  ;; handler takes the JS path), so these survive the handler call.
  (global $hi (mut i32) (i32.const 0))
  (global $lo (mut i32) (i32.const 0))

  ;; send(e, upids) -> 0 | 1 | -1
  ;;   e: the UITT entry's byte address; upids: UPID entry 0's byte address.
  ;;   -1: the entry is not valid (JS raises the fault). 0: posted (or the receiver is dead or of
  ;;   another generation: skipped silently). 1: posted, and the CAS that set ON saw UW, so the
  ;;   caller must wake the waiter (K in wait.ts).
  ;;   Plain loads of the entry (its single writer is this thread) and of life (stale-ok, as in
  ;;   senduipi); P: or the vector's bit into PIR; C: CAS status 0 -> ON, and if status was not 0,
  ;;   give up when SN or ON is set, else CAS st -> st | ON until it holds.
  (func (export "send") (param $e i32) (param $upids i32) (result i32)
    (local $f i32) (local $b i32) (local $life i32) (local $vec i32) (local $st i32) (local $seen i32)
    (local.set $f (i32.load (local.get $e)))
    (if (i32.eqz (i32.and (local.get $f) (i32.const 1)))
      (then (return (i32.const -1))))
    (local.set $b (i32.add (local.get $upids) (i32.shl (i32.load offset=4 (local.get $e)) (i32.const 7))))
    (local.set $life (i32.load offset=64 (local.get $b)))
    (if (i32.eqz (i32.and (local.get $life) (i32.const 1)))
      (then (return (i32.const 0))))
    (if (i32.ne (i32.shr_u (local.get $life) (i32.const 16)) (i32.load offset=8 (local.get $e)))
      (then (return (i32.const 0))))
    (local.set $vec (i32.and (i32.shr_u (local.get $f) (i32.const 8)) (i32.const 63)))
    (if (i32.ge_u (local.get $vec) (i32.const 32))
      (then (drop (i32.atomic.rmw.or offset=20 (local.get $b)
                    (i32.shl (i32.const 1) (i32.sub (local.get $vec) (i32.const 32))))))
      (else (drop (i32.atomic.rmw.or offset=16 (local.get $b)
                    (i32.shl (i32.const 1) (local.get $vec))))))
    (local.set $st (i32.atomic.rmw.cmpxchg (local.get $b) (i32.const 0) (i32.const 1)))
    (block $done
      (loop $retry
        (br_if $done (i32.eqz (local.get $st)))
        (if (i32.and (local.get $st) (i32.const 3)) (then (return (i32.const 0))))
        (local.set $seen (i32.atomic.rmw.cmpxchg (local.get $b) (local.get $st)
                           (i32.or (local.get $st) (i32.const 1))))
        (if (i32.eq (local.get $seen) (local.get $st))
          (then (return (i32.ne (i32.and (local.get $st) (i32.const 4)) (i32.const 0)))))
        (local.set $st (local.get $seen))
        (br $retry)))
    (i32.const 0))

  ;; take(b) -> vector + 1 | -1; needs hi | lo != 0. The highest known bit, high word first, with one
  ;; atomic and; hi/lo become the and's old value minus the bit (fresh for that word). -1: someone
  ;; else cleared the bit meanwhile (unregister): no delivery, the caller goes on.
  (func $take (param $b i32) (result i32)
    (local $bit i32) (local $old i32)
    (if (result i32) (global.get $hi)
      (then
        (local.set $bit (i32.shl (i32.const 1) (i32.sub (i32.const 31) (i32.clz (global.get $hi)))))
        (local.set $old (i32.atomic.rmw.and offset=20 (local.get $b) (i32.xor (local.get $bit) (i32.const -1))))
        (global.set $hi (i32.and (local.get $old) (i32.xor (local.get $bit) (i32.const -1))))
        (if (result i32) (i32.and (local.get $old) (local.get $bit))
          (then (i32.sub (i32.const 64) (i32.clz (local.get $bit))))
          (else (i32.const -1))))
      (else
        (local.set $bit (i32.shl (i32.const 1) (i32.sub (i32.const 31) (i32.clz (global.get $lo)))))
        (local.set $old (i32.atomic.rmw.and offset=16 (local.get $b) (i32.xor (local.get $bit) (i32.const -1))))
        (global.set $lo (i32.and (local.get $old) (i32.xor (local.get $bit) (i32.const -1))))
        (if (result i32) (i32.and (local.get $old) (local.get $bit))
          (then (i32.sub (i32.const 32) (i32.clz (local.get $bit))))
          (else (i32.const -1))))))

  ;; pollBegin(b, uif) -> 0 | vector + 1 | -1 (see take)
  ;;   b: the UPID entry's byte address; uif: the receiver's UIF (JS reads it: its single writer).
  ;;   The RMW read of PIR_HI (or 0: the line comes exclusive at once), a load of PIR_LO; 0 when
  ;;   nothing is posted or UIF is clear (posts stay in PIR); else clear ON, then the first take.
  (func (export "pollBegin") (param $b i32) (param $uif i32) (result i32)
    (global.set $hi (i32.atomic.rmw.or offset=20 (local.get $b) (i32.const 0)))
    (global.set $lo (i32.atomic.load offset=16 (local.get $b)))
    (if (i32.eqz (i32.or (global.get $hi) (global.get $lo))) (then (return (i32.const 0))))
    (if (i32.eqz (local.get $uif)) (then (return (i32.const 0))))
    (drop (i32.atomic.rmw.and (local.get $b) (i32.const -2)))
    (call $take (local.get $b)))

  ;; pollNext(b) -> 0 | vector + 1 | -1 (see take)
  ;;   After a handler: one load of status; ON set means a post came after our ON clear, so clear it
  ;;   again and reload both PIR words (HI, then LO). Then the next take, or 0 when nothing is left.
  (func (export "pollNext") (param $b i32) (result i32)
    (if (i32.and (i32.atomic.load (local.get $b)) (i32.const 1))
      (then
        (drop (i32.atomic.rmw.and (local.get $b) (i32.const -2)))
        (global.set $hi (i32.atomic.load offset=20 (local.get $b)))
        (global.set $lo (i32.atomic.load offset=16 (local.get $b)))))
    (if (i32.eqz (i32.or (global.get $hi) (global.get $lo))) (then (return (i32.const 0))))
    (call $take (local.get $b)))
)
