#1783733231
journalctl -u nginx --since today
#1783733347
systemctl status app
#1783764759
ls -la /srv
#1783764798
df -h
#1783777907
uptime
#1783777950
free -m
#1783801708
free -m
#1783801749
ls -la /srv
#1783807091
tail -n 50 /var/log/syslog
#1783807161
uptime
#1783813344
ls -la /srv
#1783813445
free -m
#1783823089
free -m
#1783823159
tail -n 50 /var/log/syslog
#1783823327
ls -la /srv
#1783823418
df -h
#1783826718
df -h
#1783826729
free -m
#1783828528
systemctl status app
#1783828620
uptime
#1783847462
df -h
#1783847529
uptime
#1783850787
tail -n 50 /var/log/syslog
#1783850860
journalctl -u nginx --since today
#1783856177
ls -la /srv
#1783856193
journalctl -u nginx --since today
#1783878668
ls -la /srv
#1783878705
df -h
#1783888490
systemctl status app
#1783888502
df -h
#1783915865
ls -la /srv
#1783915908
free -m
#1783924287
systemctl status app
#1783924347
journalctl -u nginx --since today
#1783925685
free -m
#1783925782
df -h
#1783935596
uptime
#1783935686
systemctl status app
#1783996836
uptime
#1783996909
journalctl -u nginx --since today
#1784002743
df -h
#1784002828
journalctl -u nginx --since today
#1784017703
journalctl -u nginx --since today
#1784017755
df -h
#1784020840
tail -n 50 /var/log/syslog
#1784020900
ls -la /srv
#1784028136
uptime
#1784028217
systemctl status app
#1784039881
free -m
#1784039969
uptime
#1784049476
systemctl status app
#1784049554
uptime
#1784056017
ls -la /srv
#1784056108
uptime
#1784065161
tail -n 50 /var/log/syslog
#1784065185
systemctl status app
