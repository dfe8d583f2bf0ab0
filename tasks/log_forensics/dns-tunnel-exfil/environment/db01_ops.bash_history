#1783735294
free -m
#1783735357
tail -n 50 /var/log/syslog
#1783749366
free -m
#1783749472
tail -n 50 /var/log/syslog
#1783756107
uptime
#1783756218
df -h
#1783762813
free -m
#1783762924
tail -n 50 /var/log/syslog
#1783767829
ls -la /srv
#1783767882
df -h
#1783817140
tail -n 50 /var/log/syslog
#1783817200
journalctl -u nginx --since today
#1783838390
free -m
#1783838467
ls -la /srv
#1783867038
uptime
#1783867078
tail -n 50 /var/log/syslog
#1783877325
journalctl -u nginx --since today
#1783877439
tail -n 50 /var/log/syslog
#1783919698
systemctl status app
#1783919733
journalctl -u nginx --since today
#1783966763
systemctl status app
#1783966823
uptime
#1783974062
tail -n 50 /var/log/syslog
#1783974069
free -m
#1784000832
uptime
#1784000843
systemctl status app
#1784035381
free -m
#1784035415
ls -la /srv
