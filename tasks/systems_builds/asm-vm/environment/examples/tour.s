; a tour of the language: run with  echo 42 | python3 vm.py examples/tour.s
.equ N, 10
.data
msg: .ascii "hi, there\n\0"
.align 4
arr: .word 5, -3, 0x10, 'a', done
buf: .space N
.text
start:  li r0, N
        li r1, 0
loop:   add r1, r1, r0
        sub r0, r0, 1
        bne r0, r2, loop
        out r1
        la r3, msg
        outs r3
        lw r4, arr+4(r2)
        out r4
        li r5, 7
        call fact
        out r0
        in r6
        out r6
        li r6, -7
        li r7, 2
        div r0, r6, r7
        rem r1, r6, r7
        out r0
        out r1
        sar r0, r6, 1
        shr r1, r6, 28
        out r0
        out r1
        lb r0, arr+4(r2)
        lbu r1, arr+4(r2)
        out r0
        out r1
        halt
fact:   li r0, 1
f1:     beq r5, r2, done
        mul r0, r0, r5
        sub r5, r5, 1
        jmp f1
done:   ret
