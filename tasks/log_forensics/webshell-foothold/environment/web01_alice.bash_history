#1770432339
ls -la /srv
#1770432406
journalctl -u nginx --since today
#1770438597
journalctl -u nginx --since today
#1770438677
ls -la /srv
#1770462332
systemctl status app
#1770462353
ls -la /srv
#1770465384
df -h
#1770465463
tail -n 50 /var/log/syslog
#1770473035
df -h
#1770473105
ls -la /srv
#1770491089
df -h
#1770491205
uptime
#1770507179
ls -la /srv
#1770507238
journalctl -u nginx --since today
#1770519327
df -h
#1770519426
systemctl status app
#1770532345
df -h
#1770532381
systemctl status app
#1770560996
systemctl status app
#1770561045
journalctl -u nginx --since today
#1770567073
tail -n 50 /var/log/syslog
#1770567162
ls -la /srv
#1770577490
journalctl -u nginx --since today
#1770577570
ls -la /srv
#1770577734
systemctl status app
#1770577771
journalctl -u nginx --since today
#1770595758
ls -la /srv
#1770595875
systemctl status app
#1770597069
tail -n 50 /var/log/syslog
#1770597169
uptime
#1770597952
df -h
#1770597989
ls -la /srv
#1770612403
uptime
#1770612476
ls -la /srv
#1770638156
journalctl -u nginx --since today
#1770638167
df -h
#1770668119
uptime
#1770668199
tail -n 50 /var/log/syslog
