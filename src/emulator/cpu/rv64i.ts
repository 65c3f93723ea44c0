// The interpreter loop: fetch through a cached page, expand compressed parcels, dispatch RV64I inline.
//
// Hot path (measured with the CLI's --stats on bench.elf): pc and icount live in locals and are
// written back to the hart before any call that may trap, read time or end the slice; loads and
// stores hit the software TLB inline with int32 tags; dispatch is one flat switch. The loop runs
// until cpu.stopAt, so interrupts, timers and device effects are observed only between
// instructions at counts the machine chose; translated blocks (blocks.ts) keep the same boundaries.
import { Cpu, SC_ARRIVE, SC_ICOUNT, SC_PC, SC_STOP, TRAP_TAKEN, TLB_SIZE } from './Cpu.ts';
import { ARRIVAL_BATCH, PENDING, type BlockPage } from './blocks.ts';
import { EXPANDED } from './rvc.ts';
import { executeM, executeMW } from './rv64m.ts';
import { executeAmo } from './rv64a.ts';
import { executeSystem } from './system.ts';
import { shiftLeft, shiftRightArith, shiftRightLogical } from './alu.ts';

const TLB_MASK = TLB_SIZE - 1;
const TWO_32 = 4294967296;
const TWO_31 = 2147483648;

/** Runs instructions until cpu.icount reaches cpu.stopAt. Guest faults become traps, never host exceptions. */
export function execute(cpu: Cpu): void {
  // pc, icount and stopAt go through the hart's Float64Array, never through its accessors (Cpu.scalars).
  const sc = cpu.scalars;
  const xlo = cpu.xlo;
  const xhi = cpu.xhi;
  const u8 = cpu.u8;
  const i8 = cpu.i8;
  const u16 = cpu.u16;
  const i16 = cpu.i16;
  const i32 = cpu.i32;
  const loadTag = cpu.loadTag;
  const loadBase = cpu.loadBase;
  const storeTag = cpu.storeTag;
  const storeBase = cpu.storeBase;
  const fetchTag = cpu.fetchTag;
  const fetchBase = cpu.fetchBase;
  const code = cpu.ram.code;
  let pc = sc[SC_PC];
  let icount = sc[SC_ICOUNT];
  // Calls out of the loop (slow paths, CSRs, devices) may end the slice early: stopAt is read
  // again after each of them, and kept in a local in between.
  let stopAt = sc[SC_STOP];
  // The page being executed: virtual start and RAM offset (NaN start = look it up again).
  let pageVa = NaN;
  let pageOff = 0;
  // Translated blocks of that page, when the machine translates; blocks are looked up only
  // where control arrives (after a jump, branch, system instruction, trap or block).
  const blocks = cpu.blocks;
  const hot = blocks === undefined ? 0 : blocks.threshold - 1;
  // WebAssembly blocks run through their dispatcher, which chains from block to block itself.
  const run = blocks?.run;
  let blockPage: BlockPage | undefined = undefined;
  let arrived = true;
  for (;;) {
    try {
      while (icount < stopAt) {
        let d = pc - pageVa;
        if (!(d >= 0 && d < 4096)) {
          pageVa = Math.floor(pc / 4096) * 4096;
          d = pc - pageVa;
          // The fetch TLB hit of Cpu.fetchOffset, inline (the tag 2^31-1 is INVALID_TAG): a call taking pc
          // boxes it, pc being above the engine's small integers. On bench.elf in a Chromium worker this
          // took the interpreter from 75.6 to 80.5 MIPS (medians of six runs side by side).
          const vpn = pageVa / 4096;
          const idx = vpn & TLB_MASK;
          if (vpn >= -TWO_31 && vpn < TWO_31 - 1 && fetchTag[idx] === (vpn | 0) && code[fetchBase[idx] >>> 12] !== 0) {
            pageOff = fetchBase[idx];
          } else {
            sc[SC_PC] = pc;
            sc[SC_ICOUNT] = icount;
            pageOff = cpu.fetchOffset(pc) - d;
            cpu.enterCodePage(pageOff);
          }
          if (blocks !== undefined) blockPage = blocks.page(pageOff);
        }
        if (arrived) {
          arrived = false;
          if (blockPage !== undefined) {
            const slot = d >> 1;
            const n = blockPage.counts[slot];
            if (n > 0) {
              if (icount + n <= stopAt) {
                sc[SC_PC] = pc;
                sc[SC_ICOUNT] = icount;
                if (run !== undefined) run(blockPage.ids[slot]);
                else {
                  let next = blockPage.fns[slot]!(cpu);
                  while (next !== undefined) next = next(cpu);
                }
                pc = sc[SC_PC];
                icount = sc[SC_ICOUNT];
                stopAt = sc[SC_STOP];
                // Left by a jump: look for a block there; before a load or store it could not do: run that here.
                arrived = sc[SC_ARRIVE] !== 0;
                continue;
              }
            } else {
              const hits = blockPage.hits[slot];
              if (hits < hot) blockPage.hits[slot] = hits + 1;
              else if (hits < PENDING) {
                sc[SC_PC] = pc;
                sc[SC_ICOUNT] = icount;
                // Translated: round once more to run it; refused or waiting in a batch: interpret the instruction.
                arrived = blocks!.translate(blockPage, pageOff + d, pc);
                continue;
              } else if (hits === PENDING && blocks!.batchSize >= ARRIVAL_BATCH) {
                // Control is back at a block waiting in a batch worth a module: compile it, then run the block.
                blocks!.flush();
                arrived = true;
                continue;
              }
            }
          }
        }
        const parcel = u16[(pageOff + d) >> 1];
        let inst: number;
        let raw: number;
        let npc: number;
        if ((parcel & 3) !== 3) {
          raw = parcel;
          inst = EXPANDED[parcel];
          npc = pc + 2;
        } else {
          if (d !== 4094) {
            inst = parcel | (u16[((pageOff + d) >> 1) + 1] << 16);
          } else {
            sc[SC_PC] = pc;
            sc[SC_ICOUNT] = icount;
            inst = parcel | (cpu.fetch16(pc + 2) << 16);
          }
          raw = inst;
          npc = pc + 4;
        }
        const rd = (inst >> 7) & 31;
        const rs1 = (inst >> 15) & 31;
        const funct3 = (inst >> 12) & 7;
        // Major opcode bits 6:2: dense case numbers, so the engine can dispatch through a jump table.
        switch ((inst >>> 2) & 31) {
          case 4: {
            // OP-IMM (0x13)
            const imm = inst >> 20;
            const alo = xlo[rs1];
            const ahi = xhi[rs1];
            switch (funct3) {
              case 0: {
                const sum = (alo >>> 0) + (imm >>> 0);
                xlo[rd] = sum | 0;
                xhi[rd] = (ahi + (imm >> 31) + (sum > 0xffffffff ? 1 : 0)) | 0;
                break;
              }
              case 1:
                if (inst >>> 26 !== 0) {
                  sc[SC_PC] = pc;
                  sc[SC_ICOUNT] = icount;
                  cpu.raise(2, raw);
                }
                shiftLeft(xlo, xhi, rd, rs1, imm & 63);
                break;
              case 2: {
                const ih = imm >> 31;
                xlo[rd] = ahi < ih || (ahi === ih && alo >>> 0 < imm >>> 0) ? 1 : 0;
                xhi[rd] = 0;
                break;
              }
              case 3: {
                const ih = imm >> 31;
                xlo[rd] = ahi >>> 0 < ih >>> 0 || (ahi === ih && alo >>> 0 < imm >>> 0) ? 1 : 0;
                xhi[rd] = 0;
                break;
              }
              case 4:
                xlo[rd] = alo ^ imm;
                xhi[rd] = ahi ^ (imm >> 31);
                break;
              case 5: {
                const f6 = inst >>> 26;
                if (f6 === 0) shiftRightLogical(xlo, xhi, rd, rs1, imm & 63);
                else if (f6 === 0x10) shiftRightArith(xlo, xhi, rd, rs1, imm & 63);
                else {
                  sc[SC_PC] = pc;
                  sc[SC_ICOUNT] = icount;
                  cpu.raise(2, raw);
                }
                break;
              }
              case 6:
                xlo[rd] = alo | imm;
                xhi[rd] = ahi | (imm >> 31);
                break;
              default:
                xlo[rd] = alo & imm;
                xhi[rd] = ahi & (imm >> 31);
                break;
            }
            break;
          }
          case 12: {
            // OP (0x33)
            const rs2 = (inst >> 20) & 31;
            const funct7 = inst >>> 25;
            const alo = xlo[rs1];
            const ahi = xhi[rs1];
            const blo = xlo[rs2];
            const bhi = xhi[rs2];
            if (funct7 === 1) {
              executeM(cpu, funct3, rd, rs1, rs2);
              break;
            }
            if (funct7 !== 0 && !(funct7 === 0x20 && (funct3 === 0 || funct3 === 5))) {
              sc[SC_PC] = pc;
              sc[SC_ICOUNT] = icount;
              cpu.raise(2, raw);
            }
            switch (funct3) {
              case 0:
                if (funct7 === 0) {
                  const sum = (alo >>> 0) + (blo >>> 0);
                  xlo[rd] = sum | 0;
                  xhi[rd] = (ahi + bhi + (sum > 0xffffffff ? 1 : 0)) | 0;
                } else {
                  const borrow = alo >>> 0 < blo >>> 0 ? 1 : 0;
                  xlo[rd] = (alo - blo) | 0;
                  xhi[rd] = (ahi - bhi - borrow) | 0;
                }
                break;
              case 1:
                shiftLeft(xlo, xhi, rd, rs1, blo & 63);
                break;
              case 2:
                xlo[rd] = ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0) ? 1 : 0;
                xhi[rd] = 0;
                break;
              case 3:
                xlo[rd] = ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0) ? 1 : 0;
                xhi[rd] = 0;
                break;
              case 4:
                xlo[rd] = alo ^ blo;
                xhi[rd] = ahi ^ bhi;
                break;
              case 5:
                if (funct7 === 0) shiftRightLogical(xlo, xhi, rd, rs1, blo & 63);
                else shiftRightArith(xlo, xhi, rd, rs1, blo & 63);
                break;
              case 6:
                xlo[rd] = alo | blo;
                xhi[rd] = ahi | bhi;
                break;
              default:
                xlo[rd] = alo & blo;
                xhi[rd] = ahi & bhi;
                break;
            }
            break;
          }
          case 0: {
            // LOAD (0x03): inline TLB hit for aligned RAM accesses, everything else in loadSlow.
            const s = (xlo[rs1] >>> 0) + (inst >> 20);
            const lo = s | 0;
            const hi = (xhi[rs1] + (s < 0 ? -1 : s > 0xffffffff ? 1 : 0)) | 0;
            let done = false;
            if ((hi + 2048) >>> 12 === 0) {
              const idx = (lo >>> 12) & TLB_MASK;
              if (loadTag[idx] === ((hi << 20) | (lo >>> 12))) {
                const off = loadBase[idx] + (lo & 4095);
                done = true;
                switch (funct3) {
                  case 0: {
                    const v = i8[off];
                    xlo[rd] = v;
                    xhi[rd] = v >> 31;
                    break;
                  }
                  case 1:
                    if ((off & 1) !== 0) done = false;
                    else {
                      const v = i16[off >> 1];
                      xlo[rd] = v;
                      xhi[rd] = v >> 31;
                    }
                    break;
                  case 2:
                    if ((off & 3) !== 0) done = false;
                    else {
                      const v = i32[off >> 2];
                      xlo[rd] = v;
                      xhi[rd] = v >> 31;
                    }
                    break;
                  case 3:
                    if ((off & 7) !== 0) done = false;
                    else {
                      xlo[rd] = i32[off >> 2];
                      xhi[rd] = i32[(off >> 2) + 1];
                    }
                    break;
                  case 4:
                    xlo[rd] = u8[off];
                    xhi[rd] = 0;
                    break;
                  case 5:
                    if ((off & 1) !== 0) done = false;
                    else {
                      xlo[rd] = u16[off >> 1];
                      xhi[rd] = 0;
                    }
                    break;
                  case 6:
                    if ((off & 3) !== 0) done = false;
                    else {
                      xlo[rd] = i32[off >> 2];
                      xhi[rd] = 0;
                    }
                    break;
                  default:
                    done = false;
                }
              }
            }
            if (!done) {
              sc[SC_PC] = pc;
              sc[SC_ICOUNT] = icount;
              cpu.inst = raw;
              cpu.loadSlow(hi * TWO_32 + (lo >>> 0), funct3, rd);
              stopAt = sc[SC_STOP];
            }
            break;
          }
          case 8: {
            // STORE (0x23): inline TLB hit for aligned RAM accesses (the TLB entry already marked the page dirty).
            const rs2 = (inst >> 20) & 31;
            const s = (xlo[rs1] >>> 0) + (((inst >> 25) << 5) | ((inst >> 7) & 31));
            const lo = s | 0;
            const hi = (xhi[rs1] + (s < 0 ? -1 : s > 0xffffffff ? 1 : 0)) | 0;
            let done = false;
            if ((hi + 2048) >>> 12 === 0) {
              const idx = (lo >>> 12) & TLB_MASK;
              if (storeTag[idx] === ((hi << 20) | (lo >>> 12))) {
                const off = storeBase[idx] + (lo & 4095);
                switch (funct3) {
                  case 0:
                    u8[off] = xlo[rs2];
                    done = true;
                    break;
                  case 1:
                    if ((off & 1) === 0) {
                      u16[off >> 1] = xlo[rs2];
                      done = true;
                    }
                    break;
                  case 2:
                    if ((off & 3) === 0) {
                      i32[off >> 2] = xlo[rs2];
                      done = true;
                    }
                    break;
                  case 3:
                    if ((off & 7) === 0) {
                      i32[off >> 2] = xlo[rs2];
                      i32[(off >> 2) + 1] = xhi[rs2];
                      done = true;
                    }
                    break;
                  default:
                    break;
                }
              }
            }
            if (!done) {
              sc[SC_PC] = pc;
              sc[SC_ICOUNT] = icount;
              cpu.inst = raw;
              cpu.storeSlow(hi * TWO_32 + (lo >>> 0), funct3, xhi[rs2], xlo[rs2]);
              stopAt = sc[SC_STOP];
            }
            break;
          }
          case 24: {
            // BRANCH (0x63)
            const rs2 = (inst >> 20) & 31;
            const ahi = xhi[rs1];
            const bhi = xhi[rs2];
            const alo = xlo[rs1];
            const blo = xlo[rs2];
            let taken: boolean;
            switch (funct3) {
              case 0:
                taken = alo === blo && ahi === bhi;
                break;
              case 1:
                taken = alo !== blo || ahi !== bhi;
                break;
              case 4:
                taken = ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0);
                break;
              case 5:
                taken = !(ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0));
                break;
              case 6:
                taken = ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0);
                break;
              case 7:
                taken = !(ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0));
                break;
              default:
                sc[SC_PC] = pc;
                sc[SC_ICOUNT] = icount;
                return cpu.raise(2, raw);
            }
            arrived = true;
            if (taken) {
              npc =
                pc +
                (((inst >> 31) << 12) | (((inst >> 7) & 1) << 11) | (((inst >> 25) & 0x3f) << 5) | (((inst >> 8) & 0xf) << 1));
            }
            break;
          }
          case 13:
            // LUI (0x37)
            xlo[rd] = inst & 0xfffff000;
            xhi[rd] = inst >> 31;
            break;
          case 5: {
            // AUIPC (0x17)
            const v = pc + (inst & 0xfffff000);
            xlo[rd] = v | 0;
            xhi[rd] = Math.floor(v / TWO_32) | 0;
            break;
          }
          case 27: {
            // JAL (0x6f)
            const imm =
              ((inst >> 31) << 20) | (inst & 0xff000) | (((inst >> 20) & 1) << 11) | (((inst >> 21) & 0x3ff) << 1);
            xlo[rd] = npc | 0;
            xhi[rd] = Math.floor(npc / TWO_32) | 0;
            npc = pc + imm;
            arrived = true;
            break;
          }
          case 25: {
            // JALR (0x67)
            if (funct3 !== 0) {
              sc[SC_PC] = pc;
              sc[SC_ICOUNT] = icount;
              cpu.raise(2, raw);
            }
            const imm = inst >> 20;
            const sum = (xlo[rs1] >>> 0) + (imm >>> 0);
            const hi = (xhi[rs1] + (imm >> 31) + (sum > 0xffffffff ? 1 : 0)) | 0;
            const target = hi * TWO_32 + ((sum & ~1) >>> 0);
            xlo[rd] = npc | 0;
            xhi[rd] = Math.floor(npc / TWO_32) | 0;
            npc = target;
            arrived = true;
            break;
          }
          case 6: {
            // OP-IMM-32 (0x1b)
            const imm = inst >> 20;
            const a = xlo[rs1];
            let v: number;
            if (funct3 === 0) v = (a + imm) | 0;
            else if (funct3 === 1 && inst >>> 25 === 0) v = a << (imm & 31);
            else if (funct3 === 5 && inst >>> 25 === 0) v = a >>> (imm & 31);
            else if (funct3 === 5 && inst >>> 25 === 0x20) v = a >> (imm & 31);
            else {
              sc[SC_PC] = pc;
              sc[SC_ICOUNT] = icount;
              return cpu.raise(2, raw);
            }
            xlo[rd] = v | 0;
            xhi[rd] = v >> 31;
            break;
          }
          case 14: {
            // OP-32 (0x3b)
            const rs2 = (inst >> 20) & 31;
            const funct7 = inst >>> 25;
            const a = xlo[rs1];
            const b = xlo[rs2];
            let v: number;
            if (funct7 === 1) {
              sc[SC_PC] = pc;
              sc[SC_ICOUNT] = icount;
              cpu.inst = raw;
              executeMW(cpu, funct3, rd, rs1, rs2);
              break;
            } else if (funct7 === 0 && funct3 === 0) v = (a + b) | 0;
            else if (funct7 === 0x20 && funct3 === 0) v = (a - b) | 0;
            else if (funct7 === 0 && funct3 === 1) v = a << (b & 31);
            else if (funct7 === 0 && funct3 === 5) v = a >>> (b & 31);
            else if (funct7 === 0x20 && funct3 === 5) v = a >> (b & 31);
            else {
              sc[SC_PC] = pc;
              sc[SC_ICOUNT] = icount;
              return cpu.raise(2, raw);
            }
            xlo[rd] = v | 0;
            xhi[rd] = v >> 31;
            break;
          }
          case 3:
            // MISC-MEM (0x0f): FENCE and FENCE.I are no-ops: one in-order hart, and every write to a code
            // page already drops the translated blocks it overlaps.
            if (funct3 > 1) {
              sc[SC_PC] = pc;
              sc[SC_ICOUNT] = icount;
              cpu.raise(2, raw);
            }
            break;
          case 11:
            sc[SC_PC] = pc;
            sc[SC_ICOUNT] = icount;
            cpu.inst = raw;
            executeAmo(cpu, inst, rd, rs1, funct3);
            stopAt = sc[SC_STOP];
            break;
          case 28:
            sc[SC_PC] = pc;
            sc[SC_ICOUNT] = icount;
            cpu.inst = raw;
            // The unary plus keeps npc an untagged number: without it V8 boxes pc on every instruction.
            npc = +executeSystem(cpu, inst, npc);
            stopAt = sc[SC_STOP];
            // Privilege, satp or mstatus may have changed: look the fetch page up again.
            pageVa = NaN;
            arrived = true;
            break;
          default:
            sc[SC_PC] = pc;
            sc[SC_ICOUNT] = icount;
            cpu.raise(2, raw);
        }
        // Only a write to rd can touch x0 (every case and helper writes rd alone), so only rd = 0
        // needs x0 cleared: cheaper than two stores after every instruction.
        if (rd === 0) {
          xlo[0] = 0;
          xhi[0] = 0;
        }
        pc = npc;
        icount++;
      }
      sc[SC_PC] = pc;
      sc[SC_ICOUNT] = icount;
      return;
    } catch (e) {
      if (e !== TRAP_TAKEN) throw e;
      // The trap was set up from the synced pc; the trapping instruction still counts.
      xlo[0] = 0;
      xhi[0] = 0;
      pc = sc[SC_PC];
      icount = sc[SC_ICOUNT] + 1;
      sc[SC_ICOUNT] = icount;
      stopAt = sc[SC_STOP];
      pageVa = NaN;
      arrived = true;
    }
  }
}
