#1783740916
uptime
#1783741015
free -m
#1783763684
df -h
#1783763728
tail -n 50 /var/log/syslog
#1783774236
journalctl -u nginx --since today
#1783774318
systemctl status app
#1783780598
journalctl -u nginx --since today
#1783780655
df -h
#1783788441
uptime
#1783788507
df -h
#1783792096
uptime
#1783792159
df -h
#1783801735
uptime
#1783801799
df -h
#1783816750
ls -la /srv
#1783816848
df -h
#1783844489
free -m
#1783844561
df -h
#1783860759
df -h
#1783860872
tail -n 50 /var/log/syslog
#1783864074
journalctl -u nginx --since today
#1783864089
free -m
#1783864680
free -m
#1783864728
ls -la /srv
#1783906507
uptime
#1783906594
systemctl status app
#1783958951
uptime
#1783959070
df -h
#1783961318
free -m
#1783961337
ls -la /srv
#1783969468
tail -n 50 /var/log/syslog
#1783969552
journalctl -u nginx --since today
#1783980524
tail -n 50 /var/log/syslog
#1783980604
df -h
#1784002530
df -h
#1784002616
free -m
#1784024444
df -h
#1784024532
free -m
#1784035524
journalctl -u nginx --since today
#1784035601
ls -la /srv
#1784045344
df -h
#1784045449
free -m
#1784065054
uptime
#1784065173
tail -n 50 /var/log/syslog
