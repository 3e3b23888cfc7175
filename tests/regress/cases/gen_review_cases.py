"""tests/regress/cases/gen_review_cases.py SCENARIO OUT.pcap: the hand-built
captures of the review of the stall and retransmission-cause rules (A: a
fast retransmit, a timeout and a backed-off timeout all lost; B/B2: a burst
whose tail a probe repaired (B) or not (B2), then 2.9 s idle; C/C0: a resend
with a bad checksum (C) or none (C0), then 3 s idle on the other side).
"""
import struct, sys
def csum(b):
    if len(b)%2: b+=b'\0'
    s=sum(struct.unpack('!%dH'%(len(b)//2),b))
    while s>>16: s=(s&0xffff)+(s>>16)
    return (~s)&0xffff
C=bytes([10,0,0,1]); S=bytes([10,0,0,2])
def pkt(src,dst,sp,dp,seq,ack,flags,payload=b'',win=65535,opts=b''):
    off=(20+len(opts))//4
    tcp=struct.pack('!HHIIBBHHH',sp,dp,seq&0xffffffff,ack&0xffffffff,off<<4,flags,win,0,0)+opts+payload
    ph=src+dst+struct.pack('!BBH',0,6,len(tcp))
    c=csum(ph+tcp); tcp=tcp[:16]+struct.pack('!H',c)+tcp[18:]
    ip=struct.pack('!BBHHHBBH4s4s',0x45,0,20+len(tcp),1,0,64,6,0,src,dst)
    ip=ip[:10]+struct.pack('!H',csum(ip))+ip[12:]
    eth=b'\x02\0\0\0\0\2'+b'\x02\0\0\0\0\1'+b'\x08\x00'
    return eth+ip+tcp
SYN,ACK,PSH=2,16,8
out=[]
def add(t_ms,frame): out.append((t_ms,frame))
cI=1000; sI=5000
def c2s(t,seq,ack,fl,pl=b'',opts=b''): add(t,pkt(C,S,1000,80,cI+seq,sI+ack,fl,pl,opts=opts))
def s2c(t,seq,ack,fl,pl=b'',opts=b''): add(t,pkt(S,C,80,1000,sI+seq,cI+ack,fl,pl,opts=opts))
mss=b'\x02\x04\x05\xb4'
def write(name):
    with open(name,'wb') as f:
        f.write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,1))
        for t,fr in sorted(out,key=lambda x:x[0]):
            us=int(round(t*1000)); f.write(struct.pack('<IIII',us//1000000,us%1000000,len(fr),len(fr))+fr)
P=b'x'*1000
scen=sys.argv[1]
c2s(0,0,0,SYN,opts=mss); add(20,pkt(S,C,80,1000,sI,cI+1,SYN|ACK,opts=mss)); c2s(20,1,1,ACK)
if scen=='A':
    # warm RTT: a few exchanges
    t=40
    base=1
    for i in range(5):
        c2s(t,base,1,ACK|PSH,P); s2c(t+20,1,base+1000,ACK); base+=1000; t+=40
    t=300
    for i in range(10): c2s(t+0.01*i,base+1000*i,1,ACK|PSH,P)
    lost=base+2000
    s2c(t+20,1,base+1000,ACK); s2c(t+20.1,1,base+2000,ACK)
    for i in range(7): s2c(t+20.2+0.01*i,1,base+2000,ACK)
    c2s(t+20.5,lost,1,ACK|PSH,P)   # fast retransmit, lost
    c2s(t+320,lost,1,ACK|PSH,P)    # RTO, lost
    c2s(t+920,lost,1,ACK|PSH,P)    # second RTO (backoff)
    s2c(t+940,1,base+10000,ACK)
elif scen in ('B','B2'):
    t=40; base=1
    sb=1
    for i in range(5):
        c2s(t,base,sb,ACK|PSH,P); s2c(t+20,sb,base+1000,ACK|PSH,b'y'*100); sb+=100; c2s(t+20.1,base+1000,sb,ACK); base+=1000; t+=40
    t=300
    for i in range(10): c2s(t+0.01*i,base+1000*i,sb,ACK|PSH,P)
    s2c(t+20,sb,base+9000,ACK)
    if scen=='B': c2s(t+60,base+9000,sb,ACK|PSH,P)  # TLP resend of the tail
    s2c(t+80,sb,base+10000,ACK)
    base+=10000; t=3300
    for i in range(10): c2s(t+0.01*i,base+1000*i,sb,ACK|PSH,P)
    s2c(t+20,sb,base+10000,ACK)
elif scen in ('C', 'C0'):
    pass
if scen in ('C', 'C0'):
    t=40; base=1; sb=1
    for i in range(5):
        c2s(t,base,sb,ACK|PSH,P); s2c(t+20,sb,base+1000,ACK|PSH,b'y'*100); sb+=100; c2s(t+20.1,base+1000,sb,ACK); base+=1000; t+=40
    t=300
    for i in range(10): c2s(t+0.01*i,base+1000*i,sb,ACK|PSH,P)
    s2c(t+20,sb,base+9000,ACK)
    if scen=='C':
        fr=bytearray(pkt(C,S,1000,80,cI+base+9000,sI+sb,ACK|PSH,P)); fr[14+20+16]^=0xff; add(t+60,bytes(fr))
    s2c(t+80,sb,base+10000,ACK|PSH,b'y'*100); sb+=100
    c2s(t+80.1,base+10000,sb,ACK)
    s2c(t+3000,sb,base+10000,ACK|PSH,b'y'*100); sb+=100
    c2s(t+3000.1,base+10000,sb,ACK)
write(sys.argv[2])
