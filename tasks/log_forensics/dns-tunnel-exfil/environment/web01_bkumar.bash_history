#1783728858
systemctl status app
#1783728883
tail -n 50 /var/log/syslog
#1783741681
tail -n 50 /var/log/syslog
#1783741700
free -m
#1783746156
free -m
#1783746250
uptime
#1783755967
tail -n 50 /var/log/syslog
#1783756085
ls -la /srv
#1783766509
uptime
#1783766569
df -h
#1783801656
systemctl status app
#1783801672
df -h
#1783818076
tail -n 50 /var/log/syslog
#1783818108
free -m
#1783829731
journalctl -u nginx --since today
#1783829755
df -h
#1783852060
tail -n 50 /var/log/syslog
#1783852126
free -m
#1783857652
tail -n 50 /var/log/syslog
#1783857714
df -h
#1783861617
ls -la /srv
#1783861631
tail -n 50 /var/log/syslog
#1783900044
free -m
#1783900159
systemctl status app
#1783917165
free -m
#1783917203
systemctl status app
#1783931224
ls -la /srv
#1783931303
free -m
#1783931869
ls -la /srv
#1783931977
df -h
#1783953753
systemctl status app
#1783953834
ls -la /srv
#1783999179
uptime
#1783999233
ls -la /srv
#1784006362
uptime
#1784006482
ls -la /srv
#1784045308
free -m
#1784045314
journalctl -u nginx --since today
