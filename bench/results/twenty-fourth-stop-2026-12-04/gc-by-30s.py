import re,sys
cur={}; rows=[]
for l in open(sys.argv[1]):
    m=re.search(r'\[([\d.]+)s\].*GC\((\d+)\)',l)
    if not m: continue
    n=int(m.group(2)); t=float(m.group(1))
    c=cur.setdefault(n,{'t':t})
    if 'Copied Bytes' in l: c['copied']=int(re.search(r'Sum: (\d+)',l).group(1))
    mm=re.search(r'Old regions: (\d+)->(\d+)',l)
    if mm: c['prom']=int(mm.group(2))-int(mm.group(1))
    mm=re.search(r'Pause (Young \(\w+\)).* ([\d.]+)ms$',l)
    if mm: c['kind']=mm.group(1); c['ms']=float(mm.group(2))
    mm=re.search(r'Eden regions: (\d+)->',l)
    if mm: c['eden']=int(mm.group(1))
    mm=re.search(r'Object Copy.*Avg:\s*([\d.]+)',l)
    if mm: c['copyms']=float(mm.group(1))
b={}
for n,c in sorted(cur.items()):
    if 'ms' not in c: continue
    k=int(c['t']//30); e=b.setdefault(k,[0,0,0,0,0,0])
    e[0]+=1; e[1]+=c.get('copied',0); e[2]+=c.get('prom',0) if 'Normal' in c.get('kind','') else 0; e[3]+=c['ms']; e[4]+=c.get('eden',0); e[5]+=c.get('copyms',0)
for k in sorted(b):
    e=b[k]; print("%4d-%4ds n=%3d copied/gc %5.1f MB promoted(normal) %4d MB eden/gc %4d MB pause/gc %5.1f ms copy/gc %5.1f ms"%(k*30,k*30+30,e[0],e[1]/e[0]/1e6,e[2],e[4]/e[0],e[3]/e[0],e[5]/e[0]))
