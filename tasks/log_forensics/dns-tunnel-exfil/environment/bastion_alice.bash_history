#1783735638
ls -la /srv
#1783735742
df -h
#1783740929
tail -n 50 /var/log/syslog
#1783740963
uptime
#1783758428
journalctl -u nginx --since today
#1783758472
free -m
#1783766516
tail -n 50 /var/log/syslog
#1783766635
df -h
#1783773524
journalctl -u nginx --since today
#1783773548
ls -la /srv
#1783803840
journalctl -u nginx --since today
#1783803907
systemctl status app
#1783825587
df -h
#1783825677
ls -la /srv
#1783827016
ls -la /srv
#1783827058
df -h
#1783828143
ls -la /srv
#1783828222
free -m
#1783831920
systemctl status app
#1783831981
df -h
#1783849763
systemctl status app
#1783849848
ls -la /srv
#1783863210
tail -n 50 /var/log/syslog
#1783863251
ls -la /srv
#1783873220
ls -la /srv
#1783873313
tail -n 50 /var/log/syslog
#1783881736
df -h
#1783881771
uptime
#1783889442
journalctl -u nginx --since today
#1783889558
free -m
#1783922456
ls -la /srv
#1783922480
free -m
#1783926146
ls -la /srv
#1783926178
df -h
#1783959335
uptime
#1783959350
systemctl status app
#1783975334
df -h
#1783975416
ls -la /srv
#1784006475
df -h
#1784006515
free -m
#1784007624
journalctl -u nginx --since today
#1784007633
free -m
#1784021432
journalctl -u nginx --since today
#1784021471
uptime
#1784033388
ls -la /srv
#1784033444
df -h
#1784044042
journalctl -u nginx --since today
#1784044096
df -h
#1784046599
systemctl status app
#1784046700
journalctl -u nginx --since today
